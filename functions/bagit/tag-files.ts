/** Checks of the optional tag files bag-info.txt (Payload-Oxum) and fetch.txt (RFC 8493 2.2.2, 2.2.3). */
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { mapLimit } from "../core/concurrency.ts";
import { bagInfoValues, parseBagInfo } from "./bag-info.ts";
import { bagPath, type ListedFile } from "./files.ts";
import { decodeTagText } from "./manifest.ts";
import { checkRelativePath, decodeManifestPath, showPath, splitLines } from "./text.ts";
import { BAG_INFO, type BagProblem, FETCH_FILE, PACKAGE_INFO } from "./types.ts";

export interface Findings {
  problems: BagProblem[];
  warnings: BagProblem[];
}

async function readTagText(bagDir: string, name: string, encoding: string, findings: Findings) {
  let bytes: Buffer;
  try {
    bytes = await readFile(path.join(bagDir, name));
  } catch {
    return null;
  }
  const decoded = decodeTagText(bytes, name, encoding);
  for (const item of decoded.problems) findings.problems.push(item);
  for (const item of decoded.warnings) findings.warnings.push(item);
  return decoded.text;
}

/** The metadata tag file of a bag: package-info.txt before 0.96 (bagit-python's rule), else bag-info.txt. */
export function bagInfoNameOf(version: string): string {
  return ["0.93", "0.94", "0.95"].includes(version) ? PACKAGE_INFO : BAG_INFO;
}

export async function checkBagInfo(
  bagDir: string,
  version: string,
  encoding: string,
  payload: { payloadFiles: readonly ListedFile[]; concurrency: number },
): Promise<Findings> {
  const { payloadFiles, concurrency } = payload;
  const findings: Findings = { problems: [], warnings: [] };
  let name = bagInfoNameOf(version);
  let text = await readTagText(bagDir, name, encoding, findings);
  if (text === null && name !== BAG_INFO) {
    name = BAG_INFO;
    text = await readTagText(bagDir, name, encoding, findings);
  }
  if (text === null) return findings;
  const parsed = parseBagInfo(text, { version, file: name });
  for (const item of parsed.problems) findings.problems.push(item);
  for (const item of parsed.warnings) findings.warnings.push(item);
  const oxums = bagInfoValues(parsed.fields, "Payload-Oxum");
  if (oxums.length === 0) return findings;
  const sizes = await mapLimit(payloadFiles, concurrency, async (file) =>
    stat(bagPath(bagDir, file.path)).then(
      (info) => info.size,
      () => 0,
    ),
  );
  const actual = `${sizes.reduce((sum, size) => sum + size, 0)}.${payloadFiles.length}`;
  for (const oxum of oxums) {
    if (!/^[0-9]+\.[0-9]+$/.test(oxum.trim())) {
      const message = `Payload-Oxum "${showPath(oxum)}" is not "<octets>.<files>"`;
      findings.problems.push({ file: name, rule: "payload-oxum", message });
    } else if (oxum.trim() !== actual) {
      const message = `Payload-Oxum is ${oxum.trim()} but the payload holds ${actual} (octets.files)`;
      findings.problems.push({ file: name, rule: "payload-oxum", message });
    }
  }
  return findings;
}

export interface FetchCheck extends Findings {
  /** Payload paths fetch.txt lists (present or not). */
  paths: Set<string>;
}

const FETCH_LINE = /^(\S+)[ \t]+([0-9]+|-)[ \t]+(.+)$/;

/** fetch.txt: well-formed lines naming payload files; any file not yet present is a problem (we never fetch). */
export async function checkFetch(
  bagDir: string,
  encoding: string,
  payloadPaths: ReadonlySet<string>,
  payloadManifestPaths: ReadonlyArray<{ name: string; paths: ReadonlySet<string> }>,
): Promise<FetchCheck> {
  const result: FetchCheck = { problems: [], warnings: [], paths: new Set() };
  const text = await readTagText(bagDir, FETCH_FILE, encoding, result);
  if (text === null) return result;
  splitLines(text).forEach((line, index) => {
    const where = `${FETCH_FILE}:${index + 1}`;
    const match = FETCH_LINE.exec(line);
    if (!match) {
      result.problems.push({
        file: where,
        rule: "fetch-syntax",
        message: `not "<url> <length> <path>": ${showPath(line)}`,
      });
      return;
    }
    const checked = checkRelativePath(decodeManifestPath(match[3]!));
    if (!checked.ok) {
      const rule = checked.escapes ? "path-escapes-bag" : "fetch-syntax";
      result.problems.push({ file: where, rule, message: checked.reason });
      return;
    }
    if (!checked.path.startsWith("data/")) {
      const message = `lists ${showPath(checked.path)}, which is not a payload file (fetch.txt MUST NOT list tag files)`;
      result.problems.push({ file: where, rule: "fetch-syntax", message });
      return;
    }
    result.paths.add(checked.path);
    if (!payloadPaths.has(checked.path)) {
      const message = `fetch.txt lists files not present (${match[1]}); stepmatica does not fetch`;
      result.problems.push({ file: checked.path, rule: "fetch-unfetched", message });
    }
    const unlisted = payloadManifestPaths.filter((manifest) => !manifest.paths.has(checked.path));
    if (unlisted.length > 0) {
      const message = `listed in fetch.txt but not in ${unlisted.map((m) => m.name).join(", ")}`;
      result.problems.push({ file: checked.path, rule: "payload-not-in-manifest", message });
    }
  });
  return result;
}
