/**
 * verifyChecksumFile: checks a supplied checksum file (e.g. a transfer's metadata/checksum.sha256)
 * written in the BagIt manifest format, "<hex digest>  <path>" per line.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { mapLimit } from "../core/concurrency.ts";
import { digestFile } from "../core/digest.ts";
import { DEFAULT_CONCURRENCY } from "./files.ts";
import { decodeTagText, parseManifest } from "./manifest.ts";
import { showPath } from "./text.ts";
import type { Algorithm, BagProblem } from "./types.ts";

/**
 * Paths are relative to `rootDir`. A path starting with "../" (the Archivematica habit of writing
 * "../objects/a.jpg" from inside metadata/) is relative to the checksum file's directory instead.
 * Either way it must stay inside `rootDir`. Problems name files relative to `rootDir`.
 */
export async function verifyChecksumFile(
  rootDir: string,
  checksumFilePath: string,
  algorithm: Algorithm,
  options: { concurrency?: number } = {},
): Promise<BagProblem[]> {
  const root = path.resolve(rootDir);
  const checksumFile = path.resolve(root, checksumFilePath);
  const name = path.relative(root, checksumFile).split(path.sep).join("/");
  let bytes: Buffer;
  try {
    bytes = await readFile(checksumFile);
  } catch (error) {
    return [
      { file: name, rule: "file-missing", message: `cannot read checksum file: ${(error as Error).message}` },
    ];
  }
  const decoded = decodeTagText(bytes, name);
  if (decoded.text === null) return decoded.problems;
  const parsed = parseManifest(decoded.text, {
    file: name,
    algorithm,
    kind: "plain",
    allowParentSegments: true,
  });
  const problems = [...parsed.problems];
  const checks = await mapLimit(parsed.entries, options.concurrency ?? DEFAULT_CONCURRENCY, async (entry) => {
    const base = entry.path.startsWith("../") ? path.dirname(checksumFile) : root;
    const target = path.resolve(base, ...entry.path.split("/"));
    const relative = path.relative(root, target);
    if (relative === "" || relative.startsWith("..") || path.isAbsolute(relative)) {
      const message = `line ${entry.line}: ${showPath(entry.path)} points outside ${root}`;
      return { file: name, rule: "path-escapes-bag", message };
    }
    const file = relative.split(path.sep).join("/");
    try {
      const { digests } = await digestFile(target, [algorithm]);
      if (digests[algorithm] === entry.digest) return null;
      const message = `${algorithm} in ${name} is ${entry.digest}, the file's is ${digests[algorithm]}`;
      return { file, rule: "checksum-mismatch", message };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT")
        return { file, rule: "file-missing", message: `listed in ${name} but not present` };
      return { file, rule: "unreadable-file", message: `cannot read: ${(error as Error).message}` };
    }
  });
  for (const check of checks) if (check !== null) problems.push(check);
  return problems;
}
