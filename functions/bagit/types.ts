/**
 * Shared types and constants of the BagIt library (RFC 8493, BagIt 1.0; the drafts 0.93–0.97 read for
 * validation, as bagit-python reads them).
 */

/** Every algorithm bagit-python verifies (hashlib's guaranteed ones), so old tools' bags are checked. */
export const ALGORITHMS = ["md5", "sha1", "sha224", "sha256", "sha384", "sha512"] as const;
export type Algorithm = (typeof ALGORITHMS)[number];

/** Hex digest length per algorithm, to reject malformed manifest lines early. */
export const DIGEST_HEX_LENGTH: Record<Algorithm, number> = {
  md5: 32,
  sha1: 40,
  sha224: 56,
  sha256: 64,
  sha384: 96,
  sha512: 128,
};

/** Versions bagit-python opens: the drafts 0.93–0.97 and RFC 8493's 1.0. */
export const SUPPORTED_VERSIONS = ["0.93", "0.94", "0.95", "0.96", "0.97", "1.0"] as const;

/** Before 0.96 the metadata file was called package-info.txt (bagit-python reads it by version). */
export const PACKAGE_INFO = "package-info.txt";

export const PAYLOAD_DIR = "data";
export const BAG_DECLARATION = "bagit.txt";
export const BAG_INFO = "bag-info.txt";
export const FETCH_FILE = "fetch.txt";

/** One finding, naming the file it is about (relative to the bag), a stable rule id and the reason. */
export interface BagProblem {
  file: string;
  rule: string;
  message: string;
}

export interface BagValidationResult {
  valid: boolean;
  /** The declared BagIt-Version ("1.0", "0.97"), or null when bagit.txt is missing or unreadable. */
  version: string | null;
  problems: BagProblem[];
  warnings: BagProblem[];
  /** Payload files found under data/. */
  payloadFiles: number;
  /** Algorithms of the payload manifests found (verified when supported). */
  algorithms: string[];
}

/** Thrown by writeBag and the readers when the input cannot be used; names the file and the reason. */
export class BagError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`${file}: ${reason}`);
    this.name = "BagError";
  }
}

export function isAlgorithm(name: string): name is Algorithm {
  return (ALGORITHMS as readonly string[]).includes(name);
}

/**
 * Rule ids used in BagProblem.rule, with the RFC 8493 section each one enforces.
 * Stable: scripts and the dashboard may match on them.
 */
export const RULES = {
  "bag-declaration": "2.1.1 bag declaration (bagit.txt)",
  "unsupported-version": "2.1.1 BagIt-Version (0.93 to 0.97 and 1.0 accepted)",
  "tag-encoding": "2.1.1 Tag-File-Character-Encoding",
  "payload-directory": "2.1.2 payload directory",
  "payload-manifest-missing": "2.1.3 at least one payload manifest",
  "unsupported-algorithm": "2.4 checksum algorithms",
  "manifest-line": "2.1.3 / 2.2.1 manifest line format",
  "manifest-path": "2.1.3 / 2.2.1 manifest path (percent-encoding, separators)",
  "path-escapes-bag": "5.1 special directory characters (.., absolute paths)",
  "duplicate-entry": "2.1.3 a file listed more than once",
  "payload-not-in-manifest": "3 complete: every payload file listed in every payload manifest",
  "file-missing": "3 complete: every file listed in every manifest is present",
  "not-a-file": "2.1.3 manifests list files, not directories",
  "checksum-mismatch": "3 valid: every checksum verified",
  "unreadable-file": "3 valid: every checksum verified",
  "tag-manifest-payload": "2.2.1 a tag manifest lists only tag files",
  "tag-manifest-lists-tag-manifest": "2.2.1 a tag manifest does not list tag manifests",
  "tag-file-not-in-manifest": "2.2.1 tag manifests SHOULD list every tag file",
  "payload-oxum": "2.2.2 Payload-Oxum",
  "bag-info-syntax": "2.2.2 bag-info.txt metadata elements (a line without a colon; the rest is a warning)",
  "bag-info-repeated": "2.2.2 reserved elements that SHOULD NOT repeat",
  "fetch-syntax": "2.2.3 fetch.txt lines",
  "fetch-unfetched": "2.2.3 / 3 fetch.txt lists files not present",
  "unicode-normalization": "5.3 file-sharing limitations: Unicode normalization",
  "case-mismatch": "5.3 file-sharing limitations: case sensitivity",
  "name-collision": "5.3 file-sharing limitations: names equal after case folding or normalization",
  "symbolic-link": "5.2 control of file location",
} as const;
export type RuleId = keyof typeof RULES;
