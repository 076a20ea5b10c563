/** bagit.txt, the bag declaration (RFC 8493 2.1.1). */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { TextDecoder } from "node:util";
import { showPath, splitLines } from "./text.ts";
import { BAG_DECLARATION, type BagProblem, SUPPORTED_VERSIONS } from "./types.ts";

export interface Declaration {
  version: string | null;
  encoding: string;
  problems: BagProblem[];
}

const VERSION_LINE = /^BagIt-Version: ([0-9]+\.[0-9]+)$/;
const ENCODING_LINE = /^Tag-File-Character-Encoding: (\S+)$/;

export async function readDeclaration(bagDir: string): Promise<Declaration> {
  const file = BAG_DECLARATION;
  const fail = (message: string, rule = "bag-declaration", version: string | null = null): Declaration => ({
    version,
    encoding: "UTF-8",
    problems: [{ file, rule, message }],
  });
  let bytes: Buffer;
  try {
    bytes = await readFile(path.join(bagDir, file));
  } catch {
    return fail("bagit.txt is missing (every bag has a bag declaration)");
  }
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return fail("begins with a byte-order mark (BOM); the declaration MUST be UTF-8 without one");
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return fail("is not valid UTF-8");
  }
  const lines = splitLines(text);
  const versionMatch = VERSION_LINE.exec(lines[0] ?? "");
  if (!versionMatch) {
    const draft = readDraftDeclaration(lines);
    if (draft) return draft;
    return fail(`first line must be "BagIt-Version: M.N", found "${showPath(lines[0] ?? "")}"`);
  }
  const version = versionMatch[1]!;
  const problems: BagProblem[] = [];
  if (!(SUPPORTED_VERSIONS as readonly string[]).includes(version)) {
    const message = `BagIt-Version ${version} is not supported (accepted: ${SUPPORTED_VERSIONS.join(", ")})`;
    problems.push({ file, rule: "unsupported-version", message });
  }
  if (isDraftVersion(version)) return readDraftDeclaration(lines) ?? { version, encoding: "UTF-8", problems };
  const encodingMatch = ENCODING_LINE.exec(lines[1] ?? "");
  if (!encodingMatch) {
    const found = lines[1] === undefined ? "nothing" : `"${showPath(lines[1])}"`;
    const message = `second line must be "Tag-File-Character-Encoding: ENCODING", found ${found}`;
    problems.push({ file, rule: "bag-declaration", message });
  }
  if (lines.length > 2) {
    problems.push({
      file,
      rule: "bag-declaration",
      message: `has ${lines.length} lines; exactly two are allowed`,
    });
  }
  return { version, encoding: encodingMatch?.[1] ?? "UTF-8", problems };
}

/** The drafts before 1.0 (0.93–0.97): read by their own, looser rules. */
export function isDraftVersion(version: string | null): boolean {
  return version !== null && version !== "1.0" && (SUPPORTED_VERSIONS as readonly string[]).includes(version);
}

/**
 * A draft bag's declaration, read as bagit-python reads every version: "Label: value" lines in any
 * order, whitespace around the colon; both elements required. Null when it declares no draft version.
 */
function readDraftDeclaration(lines: readonly string[]): Declaration | null {
  const values = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0) values.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const version = values.get("bagit-version");
  if (version === undefined || !isDraftVersion(version)) return null;
  const encoding = values.get("tag-file-character-encoding");
  if (encoding === undefined || encoding === "") {
    const message = "Tag-File-Character-Encoding is missing (bagit-python requires it in every version)";
    return {
      version,
      encoding: "UTF-8",
      problems: [{ file: BAG_DECLARATION, rule: "bag-declaration", message }],
    };
  }
  return { version, encoding, problems: [] };
}
