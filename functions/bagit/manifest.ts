/** Manifest files (manifest-<alg>.txt, tagmanifest-<alg>.txt): parse, read and format. */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { TextDecoder } from "node:util";
import {
  checkRelativePath,
  compareBytes,
  decodeManifestPath,
  encodeManifestPath,
  hasBarePercent,
  type PathCheck,
  showPath,
  splitLines,
} from "./text.ts";
import { type Algorithm, BagError, type BagProblem, DIGEST_HEX_LENGTH, isAlgorithm } from "./types.ts";

export const PAYLOAD_MANIFEST_NAME = /^manifest-([A-Za-z0-9-]+)\.txt$/;
export const TAG_MANIFEST_NAME = /^tagmanifest-([A-Za-z0-9-]+)\.txt$/;

export interface ManifestEntry {
  /** Decoded path relative to the bag (or to the checksum file's root), "/"-separated. */
  path: string;
  /** Lower-case hex digest. */
  digest: string;
  /** 1-based line number in the manifest. */
  line: number;
}

export interface ParsedManifest {
  entries: ManifestEntry[];
  problems: BagProblem[];
  warnings: BagProblem[];
}

export interface ParseManifestOptions {
  /** Name used in problems (e.g. "manifest-sha256.txt"). */
  file: string;
  /** Known algorithm → digest length is checked; other names skip that check. */
  algorithm: string;
  /** payload: paths must be under data/; tag: paths must not be; plain: any relative path. */
  kind: "payload" | "tag" | "plain";
  /** BagIt version of the bag; a bare "%" is a problem in 1.0, a warning before. */
  version?: string;
  /** Allow "../" segments (checksum files written from inside metadata/); the caller bounds them. */
  allowParentSegments?: boolean;
}

const LINE_PATTERN = /^([0-9A-Fa-f]+)[ \t]+(.+)$/;

export function parseManifest(text: string, options: ParseManifestOptions): ParsedManifest {
  const { file, algorithm, kind } = options;
  const problems: BagProblem[] = [];
  const warnings: BagProblem[] = [];
  const entries: ManifestEntry[] = [];
  const seen = new Set<string>();
  const expectedLength = isAlgorithm(algorithm) ? DIGEST_HEX_LENGTH[algorithm] : undefined;
  splitLines(text).forEach((rawLine, index) => {
    const line = index + 1;
    const where = `${file}:${line}`;
    if (rawLine.trim() === "") {
      warnings.push({ file: where, rule: "manifest-line", message: "blank line ignored" });
      return;
    }
    const match = LINE_PATTERN.exec(rawLine);
    if (!match) {
      problems.push({
        file: where,
        rule: "manifest-line",
        message: `not "<checksum> <path>": ${showPath(rawLine)}`,
      });
      return;
    }
    const digest = match[1]!.toLowerCase();
    let encoded = match[2]!;
    if (expectedLength !== undefined && digest.length !== expectedLength) {
      const message = `${algorithm} checksum has ${digest.length} hex digits, expected ${expectedLength}`;
      problems.push({ file: where, rule: "manifest-line", message });
      return;
    }
    // md5sum's binary-mode marker ("<digest> *<path>") shows up in older bags and checksum files;
    // bagit-python strips it silently, and so do we.
    const binaryMarker =
      kind === "payload" ? /^\*(\.\/)?data\//.test(encoded) : /^[0-9A-Fa-f]+ \*/.test(rawLine);
    if (binaryMarker && encoded.startsWith("*")) encoded = encoded.slice(1);
    if (hasBarePercent(encoded)) {
      const finding = {
        file: where,
        rule: "manifest-path",
        message: `"%" not percent-encoded in ${showPath(encoded)}`,
      };
      (options.version === "1.0" ? problems : warnings).push(finding);
    }
    const decoded = decodeManifestPath(encoded);
    const checked = resolveEntryPath(decoded, options.allowParentSegments === true);
    if (!checked.ok) {
      const rule = checked.escapes ? "path-escapes-bag" : "manifest-path";
      problems.push({ file: where, rule, message: checked.reason });
      return;
    }
    const relPath = checked.path;
    if (kind === "payload" && !relPath.startsWith("data/")) {
      const message = `payload manifest lists ${showPath(relPath)}, which is not under data/`;
      problems.push({ file: where, rule: "manifest-path", message });
      return;
    }
    if (kind === "tag" && relPath.startsWith("data/")) {
      const message = `tag manifest lists payload file ${showPath(relPath)}`;
      problems.push({ file: where, rule: "tag-manifest-payload", message });
      return;
    }
    if (kind === "tag" && TAG_MANIFEST_NAME.test(relPath)) {
      const message = `tag manifest lists tag manifest ${showPath(relPath)}`;
      problems.push({ file: where, rule: "tag-manifest-lists-tag-manifest", message });
      return;
    }
    if (seen.has(relPath)) {
      problems.push({
        file: where,
        rule: "duplicate-entry",
        message: `${showPath(relPath)} is listed more than once`,
      });
      return;
    }
    seen.add(relPath);
    entries.push({ path: relPath, digest, line });
  });
  return { entries, problems, warnings };
}

/** Leading "../" segments are kept when allowed (the caller bounds them); the rest must be clean. */
function resolveEntryPath(decoded: string, allowParentSegments: boolean): PathCheck {
  if (!allowParentSegments) return checkRelativePath(decoded);
  const parents = /^(\.\.\/)*/.exec(decoded)![0];
  const checked = checkRelativePath(decoded.slice(parents.length));
  return checked.ok ? { ok: true, path: parents + checked.path } : checked;
}

/**
 * Decodes a tag file in the declared encoding (strictly). A UTF-16 byte-order mark decides the byte
 * order (old Windows tools wrote tag files so); a UTF-8 BOM is removed and reported as a warning.
 */
export function decodeTagText(
  bytes: Buffer,
  file: string,
  encoding = "UTF-8",
): { text: string | null; problems: BagProblem[]; warnings: BagProblem[] } {
  const warnings: BagProblem[] = [];
  const utf16Bom =
    bytes[0] === 0xff && bytes[1] === 0xfe
      ? "utf-16le"
      : bytes[0] === 0xfe && bytes[1] === 0xff
        ? "utf-16be"
        : null;
  let label = encoding;
  if (utf16Bom) {
    if (!/^utf-?16/i.test(encoding)) {
      const message = `starts with a UTF-16 byte-order mark but bagit.txt declares ${encoding}; read as UTF-16`;
      warnings.push({ file, rule: "tag-encoding", message });
    }
    label = utf16Bom;
  }
  let decoder: TextDecoder;
  try {
    decoder = new TextDecoder(label, { fatal: true, ignoreBOM: true });
  } catch {
    const message = `Tag-File-Character-Encoding "${encoding}" is not supported`;
    return { text: null, problems: [{ file, rule: "tag-encoding", message }], warnings };
  }
  try {
    let text = decoder.decode(bytes);
    if (text.startsWith("\uFEFF")) {
      if (!utf16Bom)
        warnings.push({ file, rule: "tag-encoding", message: "starts with a byte-order mark (BOM)" });
      text = text.slice(1);
    }
    return { text, problems: [], warnings };
  } catch {
    const message = `is not valid ${encoding}`;
    return { text: null, problems: [{ file, rule: "tag-encoding", message }], warnings };
  }
}

/** Algorithm named by a manifest's file name ("manifest-sha256.txt" → "sha256"), or null. */
export function manifestAlgorithm(fileName: string): string | null {
  const match = PAYLOAD_MANIFEST_NAME.exec(fileName) ?? TAG_MANIFEST_NAME.exec(fileName);
  return match ? match[1]!.toLowerCase() : null;
}

/**
 * Reads and parses one manifest file. The algorithm defaults to the one in the file name; the kind
 * follows from the name too (tagmanifest-* → tag, manifest-* → payload, anything else → plain).
 * Throws BagError when the file cannot be read or decoded.
 */
export async function readManifest(
  filePath: string,
  algorithm?: Algorithm | string,
  options: { version?: string; encoding?: string } = {},
): Promise<ParsedManifest & { algorithm: string }> {
  const name = path.basename(filePath);
  const resolvedAlgorithm = (algorithm ?? manifestAlgorithm(name))?.toLowerCase();
  if (!resolvedAlgorithm) throw new BagError(name, "cannot tell the checksum algorithm from the file name");
  let bytes: Buffer;
  try {
    bytes = await readFile(filePath);
  } catch (error) {
    throw new BagError(filePath, `cannot read manifest: ${(error as Error).message}`);
  }
  const decoded = decodeTagText(bytes, name, options.encoding);
  if (decoded.text === null) throw new BagError(filePath, decoded.problems[0]!.message);
  const kind = TAG_MANIFEST_NAME.test(name) ? "tag" : PAYLOAD_MANIFEST_NAME.test(name) ? "payload" : "plain";
  const parsed = parseManifest(decoded.text, { file: name, algorithm: resolvedAlgorithm, kind, ...options });
  return { ...parsed, warnings: [...decoded.warnings, ...parsed.warnings], algorithm: resolvedAlgorithm };
}

/** Manifest text: one "<digest>  <encoded path>" line per file, sorted by path bytes, LF endings. */
export function formatManifest(entries: ReadonlyArray<{ path: string; digest: string }>): string {
  return [...entries]
    .sort((a, b) => compareBytes(a.path, b.path))
    .map((entry) => `${entry.digest}  ${encodeManifestPath(entry.path)}\n`)
    .join("");
}
