/**
 * verifyChecksumFile: checks a supplied checksum file (e.g. a transfer's metadata/checksum.sha256)
 * written in the BagIt manifest format, "<hex digest>  <path>" per line.
 */
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { mapLimit } from "../core/concurrency.ts";
import { digestFile } from "../core/digest.ts";
import { DEFAULT_CONCURRENCY } from "./files.ts";
import { decodeTagText, parseManifest } from "./manifest.ts";
import { showPath } from "./text.ts";
import type { Algorithm, BagProblem } from "./types.ts";

/** One listed file: its path relative to the root, the digest listed, the problem when it failed. */
export interface ChecksumFileCheck {
  file: string;
  digest: string;
  problem: BagProblem | null;
}

export interface ChecksumFileOptions {
  concurrency?: number;
  /**
   * Folders (relative to `rootDir`) a listed path may be relative to, tried before `rootDir`
   * itself: a transfer's checksum files name files relative to objects/ (`md5deep -rl` run there).
   */
  alsoRelativeTo?: readonly string[];
}

/**
 * Paths are relative to `rootDir` (or to a folder of `alsoRelativeTo`). A path starting with "../"
 * (the Archivematica habit of writing "../objects/a.jpg" from inside metadata/) is relative to the
 * checksum file's directory instead. Either way it must stay inside `rootDir`. Problems name files
 * relative to `rootDir`.
 */
export async function verifyChecksumFile(
  rootDir: string,
  checksumFilePath: string,
  algorithm: Algorithm,
  options: ChecksumFileOptions = {},
): Promise<BagProblem[]> {
  return (await checkChecksumFile(rootDir, checksumFilePath, algorithm, options)).inLineOrder;
}

/** As verifyChecksumFile, with every listed file's outcome (for per-file fixity events). */
export async function checkChecksumFile(
  rootDir: string,
  checksumFilePath: string,
  algorithm: Algorithm,
  options: ChecksumFileOptions = {},
): Promise<{ problems: BagProblem[]; checks: ChecksumFileCheck[]; inLineOrder: BagProblem[] }> {
  const root = path.resolve(rootDir);
  const checksumFile = path.resolve(root, checksumFilePath);
  const name = path.relative(root, checksumFile).split(path.sep).join("/");
  let bytes: Buffer;
  try {
    bytes = await readFile(checksumFile);
  } catch (error) {
    const message = `cannot read checksum file: ${(error as Error).message}`;
    const problems = [{ file: name, rule: "file-missing", message }];
    return { problems, checks: [], inLineOrder: problems };
  }
  const decoded = decodeTagText(bytes, name);
  if (decoded.text === null) return { problems: decoded.problems, checks: [], inLineOrder: decoded.problems };
  const parsed = parseManifest(decoded.text, {
    file: name,
    algorithm,
    kind: "plain",
    allowParentSegments: true,
  });
  const problems = [...parsed.problems];
  const checks: ChecksumFileCheck[] = [];
  const outcomes = await mapLimit(
    parsed.entries,
    options.concurrency ?? DEFAULT_CONCURRENCY,
    async (entry) => {
      const candidates = entry.path.startsWith("../")
        ? [path.resolve(path.dirname(checksumFile), ...entry.path.split("/"))]
        : [...(options.alsoRelativeTo ?? []), ""].map((folder) =>
            path.resolve(root, ...folder.split("/").filter(Boolean), ...entry.path.split("/")),
          );
      const inside = candidates.filter((target) => {
        const relative = path.relative(root, target);
        return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative);
      });
      if (inside.length === 0) {
        const message = `line ${entry.line}: ${showPath(entry.path)} points outside ${root}`;
        return { problem: { file: name, rule: "path-escapes-bag", message } };
      }
      const target = (await firstExisting(inside)) ?? inside[0]!;
      const file = path.relative(root, target).split(path.sep).join("/");
      return {
        check: {
          file,
          digest: entry.digest,
          problem: await checkDigest(target, file, name, entry.digest, algorithm),
        },
      };
    },
  );
  const inLineOrder = [...problems];
  for (const outcome of outcomes) {
    if (outcome.check) checks.push(outcome.check);
    else if (outcome.problem) problems.push(outcome.problem);
    const problem = outcome.check ? outcome.check.problem : outcome.problem;
    if (problem) inLineOrder.push(problem);
  }
  return { problems, checks, inLineOrder };
}

async function firstExisting(candidates: readonly string[]): Promise<string | null> {
  for (const candidate of candidates) {
    if (
      await stat(candidate).then(
        () => true,
        () => false,
      )
    )
      return candidate;
  }
  return null;
}

async function checkDigest(
  target: string,
  file: string,
  listedIn: string,
  digest: string,
  algorithm: Algorithm,
): Promise<BagProblem | null> {
  try {
    const { digests } = await digestFile(target, [algorithm]);
    if (digests[algorithm] === digest) return null;
    const message = `${algorithm} in ${listedIn} is ${digest}, the file's is ${digests[algorithm]}`;
    return { file, rule: "checksum-mismatch", message };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT")
      return { file, rule: "file-missing", message: `listed in ${listedIn} but not present` };
    return { file, rule: "unreadable-file", message: `cannot read: ${(error as Error).message}` };
  }
}
