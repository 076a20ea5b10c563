/**
 * The internal shape of a signature set. The DROID loader and the container loader produce these
 * records, so one compiler and one matcher serve both.
 *
 * Patterns use the PRONOM / container-signature syntax: hex bytes (`4D5A`), quoted text (`'PK'`),
 * `??` any byte, `[a:b]` / `['a'-'b']` ranges, `[!a]` negation, `[&01]` all mask bits set,
 * `[~01]` any mask bit set, `(a|b)` alternatives, `{n}` / `{n-m}` / `{n-*}` gaps and `*`.
 */
export type Anchor = "BOF" | "EOF" | "VAR";

export interface SubSequenceDef {
  /** Gap before this subsequence (BOF/VAR: from BOF or the previous subsequence's end). */
  minOffset: number;
  /** null: unbounded. For EOF sequences the gap after the last subsequence up to EOF. */
  maxOffset: number | null;
  /** Left fragments, the anchor sequence and right fragments merged into one pattern. */
  pattern: string;
}

export interface ByteSequenceDef {
  anchor: Anchor;
  subsequences: SubSequenceDef[];
}

export interface InternalSignatureDef {
  id: number;
  /** Every byte sequence must match. */
  sequences: ByteSequenceDef[];
}

export interface FormatDef {
  /** The signature file's FileFormat ID (priorities refer to it). */
  id: number;
  puid: string;
  name: string;
  version: string | null;
  mime: string | null;
  extensions: string[];
  signatureIds: number[];
  /** FileFormat IDs this format has priority over. */
  priorityOver: number[];
}

export interface SignatureSet {
  /** e.g. "DROID_SignatureFile_V119.xml". */
  source: string;
  /** The root's Version attribute ("unknown" when absent). */
  version: string;
  /** The root's DateCreated, date part (null when absent). */
  date: string | null;
  formats: FormatDef[];
  signatures: InternalSignatureDef[];
}

export type ContainerType = "OLE2" | "ZIP";

export interface ContainerFileDef {
  /** Entry path inside the container (ZIP name, or OLE2 storage/stream path). */
  path: string;
  /** Any one matching signature satisfies the file; empty: presence is enough. */
  signatures: InternalSignatureDef[];
}

export interface ContainerSignatureDef {
  id: number;
  containerType: ContainerType;
  description: string;
  files: ContainerFileDef[];
  puids: string[];
}

export interface ContainerSignatureSet {
  source: string;
  /** The root's signatureVersion attribute ("unknown" when absent). */
  version: string;
  /** The date in the file name (container-signature-YYYYMMDD.xml); the file itself carries none. */
  date: string | null;
  signatures: ContainerSignatureDef[];
  /** Binary-match PUIDs that trigger a look inside the container. */
  triggers: { containerType: ContainerType; puid: string }[];
}

export interface Candidate {
  puid: string;
  format: string | null;
  version: string | null;
  mime: string | null;
}

export type Basis = "container" | "signature" | "extension" | "unidentified" | "error";

export interface Identification {
  path: string;
  puid: string | null;
  format: string | null;
  version: string | null;
  mime: string | null;
  /** How the answer was found; `detail` names the signature(s) or extension. */
  basis: Basis;
  detail?: string;
  /** The other remaining candidates when more than one survived the priorities. */
  alternatives?: Candidate[];
  warning?: string;
}
