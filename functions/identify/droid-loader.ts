import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import type {
  Anchor,
  ByteSequenceDef,
  FormatDef,
  InternalSignatureDef,
  SignatureSet,
  SubSequenceDef,
} from "./types.ts";
import { childrenNamed, firstChild, parseXml, type XmlElement } from "./xml.ts";

/** Loads a DROID binary signature file (`DROID_SignatureFile_V*.xml`) of any version. */
export async function loadSignatureFile(path: string): Promise<SignatureSet> {
  let source: string;
  try {
    source = await readFile(path, "utf8");
  } catch (error) {
    throw new Error(`identify: cannot read signature file ${path}: ${(error as Error).message}`);
  }
  try {
    return parseSignatureFile(source, basename(path));
  } catch (error) {
    throw new Error(
      `identify: signature file ${path} is not a DROID signature file: ${(error as Error).message}`,
    );
  }
}

/** DROID's Boyer-Moore shift tables: derived data the matcher does not use. */
const UNUSED = new Set(["Shift", "DefaultShift"]);

export function parseSignatureFile(source: string, name: string): SignatureSet {
  const root = parseXml(source, UNUSED);
  if (root.name !== "FFSignatureFile")
    throw new Error(`root element is <${root.name}>, not <FFSignatureFile>`);
  const signatureCollection = firstChild(root, "InternalSignatureCollection");
  const formatCollection = firstChild(root, "FileFormatCollection");
  if (!formatCollection) throw new Error("no <FileFormatCollection>");
  const signatures = signatureCollection
    ? childrenNamed(signatureCollection, "InternalSignature").map(readInternalSignature)
    : [];
  const formats = childrenNamed(formatCollection, "FileFormat").map(readFormat);
  const date = /^\d{4}-\d{2}-\d{2}/.exec(root.attrs.DateCreated ?? "")?.[0] ?? null;
  return { source: name, version: root.attrs.Version ?? "unknown", date, formats, signatures };
}

function readFormat(element: XmlElement): FormatDef {
  const puid = element.attrs.PUID;
  if (!puid) throw new Error(`FileFormat ID ${element.attrs.ID ?? "?"} has no PUID`);
  return {
    id: requireInt(element.attrs.ID, "FileFormat ID"),
    puid,
    name: element.attrs.Name ?? puid,
    version: nonEmpty(element.attrs.Version),
    mime: nonEmpty(element.attrs.MIMEType),
    extensions: childrenNamed(element, "Extension").map((child) => child.text.trim().toLowerCase()),
    signatureIds: childrenNamed(element, "InternalSignatureID").map((child) =>
      requireInt(child.text, "signature ID"),
    ),
    priorityOver: childrenNamed(element, "HasPriorityOverFileFormatID").map((child) =>
      requireInt(child.text, "priority ID"),
    ),
  };
}

/** Reads an <InternalSignature> (shared by the DROID file and container files). */
export function readInternalSignature(element: XmlElement): InternalSignatureDef {
  const id = requireInt(element.attrs.ID, "InternalSignature ID");
  return { id, sequences: childrenNamed(element, "ByteSequence").map(readByteSequence) };
}

function readByteSequence(element: XmlElement): ByteSequenceDef {
  const reference = element.attrs.Reference ?? "";
  const anchor: Anchor = reference.startsWith("BOF") ? "BOF" : reference.startsWith("EOF") ? "EOF" : "VAR";
  const subsequences = childrenNamed(element, "SubSequence")
    .map((sub) => ({ position: Number(sub.attrs.Position ?? 1), def: readSubSequence(sub) }))
    .sort((a, b) => a.position - b.position)
    .map((entry) => entry.def);
  return { anchor, subsequences };
}

function readSubSequence(element: XmlElement): SubSequenceDef {
  const sequence = firstChild(element, "Sequence");
  if (!sequence) throw new Error("SubSequence without <Sequence>");
  const left = groupFragments(childrenNamed(element, "LeftFragment"));
  const right = groupFragments(childrenNamed(element, "RightFragment"));
  // Left fragments count outwards from the sequence: the highest position is leftmost in the file.
  const leftText = [...left]
    .reverse()
    .map((group) => alternatives(group.map((f) => `${f.pattern}${gap(f)}`)));
  const rightText = right.map((group) => alternatives(group.map((f) => `${gap(f)}${f.pattern}`)));
  const maxText = element.attrs.SubSeqMaxOffset;
  const minOffset = Number(element.attrs.SubSeqMinOffset ?? 0);
  // Some files write a max below the min (e.g. min 4, max 0); DROID reads that as exactly min.
  const maxOffset = maxText === undefined || maxText === "" ? null : Math.max(minOffset, Number(maxText));
  return {
    minOffset,
    maxOffset,
    pattern: [...leftText, sequence.text.trim(), ...rightText].join(" "),
  };
}

interface Fragment {
  position: number;
  min: number;
  max: number | null;
  pattern: string;
}

function groupFragments(elements: XmlElement[]): Fragment[][] {
  const groups = new Map<number, Fragment[]>();
  for (const element of elements) {
    const position = Number(element.attrs.Position ?? 1);
    const max = element.attrs.MaxOffset;
    const fragment: Fragment = {
      position,
      min: Number(element.attrs.MinOffset ?? 0),
      max:
        max === undefined || max === "" || max === "*"
          ? null
          : Math.max(Number(element.attrs.MinOffset ?? 0), Number(max)),
      pattern: element.text.trim(),
    };
    groups.set(position, [...(groups.get(position) ?? []), fragment]);
  }
  return [...groups.entries()].sort((a, b) => a[0] - b[0]).map((entry) => entry[1]);
}

function gap(fragment: Fragment): string {
  if (fragment.max === null) return `{${fragment.min}-*}`;
  if (fragment.max === 0 && fragment.min === 0) return "";
  return fragment.min === fragment.max ? `{${fragment.min}}` : `{${fragment.min}-${fragment.max}}`;
}

function alternatives(options: string[]): string {
  return options.length === 1 ? options[0]! : `(${options.join("|")})`;
}

function requireInt(text: string | undefined, what: string): number {
  const value = Number((text ?? "").trim());
  if (!Number.isInteger(value)) throw new Error(`${what} "${text}" is not an integer`);
  return value;
}

function nonEmpty(text: string | undefined): string | null {
  const trimmed = text?.trim();
  return trimmed ? trimmed : null;
}
