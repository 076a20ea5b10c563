import { mapLimit } from "../core/concurrency.ts";
import { digestFile } from "../core/digest.ts";
/** Completeness and validity of a bag's files against its manifests (RFC 8493 section 3, 5.3). */
import { bagPath, isDirectory, type ListedFile } from "./files.ts";
import type { LoadedManifest } from "./load-manifests.ts";
import { TAG_MANIFEST_NAME } from "./manifest.ts";
import { compareBytes, showPath } from "./text.ts";
import type { Algorithm, BagProblem } from "./types.ts";

interface Expectation {
  manifest: string;
  algorithm: Algorithm;
  digest: string;
}

export interface ContentsInput {
  bagDir: string;
  version: string;
  payloadFiles: readonly ListedFile[];
  tagFiles: readonly ListedFile[];
  payloadManifests: readonly LoadedManifest[];
  tagManifests: readonly LoadedManifest[];
  /** Payload paths listed in fetch.txt: when absent they are reported by the fetch check instead. */
  fetchPaths: ReadonlySet<string>;
  concurrency: number;
}

export async function checkContents(
  input: ContentsInput,
): Promise<{ problems: BagProblem[]; warnings: BagProblem[] }> {
  const problems: BagProblem[] = [];
  const warnings: BagProblem[] = [];
  const expectations = new Map<string, Expectation[]>();
  const payloadPaths = input.payloadFiles.map((file) => file.path);
  const tagPaths = input.tagFiles.map((file) => file.path);

  const payloadCoverage = await matchEntries(
    input,
    input.payloadManifests,
    payloadPaths,
    expectations,
    problems,
  );
  const tagCoverage = await matchEntries(input, input.tagManifests, tagPaths, expectations, problems);

  for (const file of input.payloadFiles) {
    if (file.kind === "symlink") {
      warnings.push({
        file: file.path,
        rule: "symbolic-link",
        message: "is a symbolic link; its target was checked",
      });
    } else if (file.kind === "other") {
      problems.push({ file: file.path, rule: "not-a-file", message: "is not a regular file" });
    }
    const missingFrom = input.payloadManifests.filter((m) => !payloadCoverage.get(m.name)!.has(file.path));
    if (missingFrom.length === 0) continue;
    const names = missingFrom.map((m) => m.name).join(", ");
    const inNone = missingFrom.length === input.payloadManifests.length;
    if (input.version !== "0.97" || inNone) {
      problems.push({
        file: file.path,
        rule: "payload-not-in-manifest",
        message: `payload file not listed in ${names}`,
      });
    } else {
      const message = `not listed in ${names} (allowed before BagIt 1.0)`;
      warnings.push({ file: file.path, rule: "payload-not-in-manifest", message });
    }
  }
  for (const file of input.tagFiles) {
    if (TAG_MANIFEST_NAME.test(file.path)) continue;
    const missingFrom = input.tagManifests.filter((m) => !tagCoverage.get(m.name)!.has(file.path));
    if (missingFrom.length === 0) continue;
    const message = `tag file not listed in ${missingFrom.map((m) => m.name).join(", ")}`;
    warnings.push({ file: file.path, rule: "tag-file-not-in-manifest", message });
  }
  for (const item of collisions(payloadPaths)) warnings.push(item);

  const toHash = [...expectations.keys()].sort(compareBytes);
  const results = await mapLimit(toHash, input.concurrency, async (relPath) => {
    const wanted = expectations.get(relPath)!;
    const algorithms = [...new Set(wanted.map((e) => e.algorithm))];
    try {
      const { digests } = await digestFile(bagPath(input.bagDir, relPath), algorithms);
      return wanted
        .filter((e) => digests[e.algorithm] !== e.digest)
        .map((e) => ({
          file: relPath,
          rule: "checksum-mismatch",
          message: `${e.algorithm} in ${e.manifest} is ${e.digest}, the file's is ${digests[e.algorithm]}`,
        }));
    } catch (error) {
      return [
        { file: relPath, rule: "unreadable-file", message: `cannot read: ${(error as Error).message}` },
      ];
    }
  });
  for (const item of results.flat()) problems.push(item);
  return { problems, warnings };
}

/**
 * Resolves each manifest entry to a file on disk. Returns, per manifest, the disk paths it covers
 * (exact matches, plus near matches already reported so they are not reported twice as extra files).
 */
async function matchEntries(
  input: ContentsInput,
  manifests: readonly LoadedManifest[],
  diskPaths: readonly string[],
  expectations: Map<string, Expectation[]>,
  problems: BagProblem[],
): Promise<Map<string, Set<string>>> {
  const exact = new Set(diskPaths);
  const byNormalForm = indexBy(diskPaths, (p) => p.normalize("NFC"));
  const byFoldedCase = indexBy(diskPaths, (p) => p.normalize("NFC").toLowerCase());
  const coverage = new Map<string, Set<string>>();
  const missing = new Map<string, string[]>();
  for (const manifest of manifests) {
    const covered = new Set<string>();
    coverage.set(manifest.name, covered);
    for (const entry of manifest.entries) {
      if (exact.has(entry.path)) {
        covered.add(entry.path);
        if (manifest.verifiable) {
          const list = expectations.get(entry.path) ?? [];
          list.push({ manifest: manifest.name, algorithm: manifest.verifiable, digest: entry.digest });
          expectations.set(entry.path, list);
        }
        continue;
      }
      const sameNormal = byNormalForm.get(entry.path.normalize("NFC"));
      const sameFolded = byFoldedCase.get(entry.path.normalize("NFC").toLowerCase());
      if (sameNormal || sameFolded) {
        const actual = (sameNormal ?? sameFolded)!;
        for (const p of actual) covered.add(p);
        const how = sameNormal ? "Unicode normalization (NFC/NFD)" : "letter case";
        problems.push({
          file: entry.path,
          rule: sameNormal ? "unicode-normalization" : "case-mismatch",
          message: `listed in ${manifest.name} but the file present is "${showPath(actual[0]!)}", which differs only in ${how}`,
        });
        continue;
      }
      if (input.fetchPaths.has(entry.path)) continue;
      if (await isDirectory(bagPath(input.bagDir, entry.path))) {
        problems.push({
          file: entry.path,
          rule: "not-a-file",
          message: `listed in ${manifest.name} but is a directory`,
        });
        continue;
      }
      missing.set(entry.path, [...(missing.get(entry.path) ?? []), manifest.name]);
    }
  }
  for (const [relPath, names] of missing) {
    problems.push({
      file: relPath,
      rule: "file-missing",
      message: `listed in ${names.join(", ")} but not present`,
    });
  }
  return coverage;
}

function indexBy(paths: readonly string[], key: (p: string) => string): Map<string, string[]> {
  const index = new Map<string, string[]>();
  for (const p of paths) index.set(key(p), [...(index.get(key(p)) ?? []), p]);
  return index;
}

/** Payload names that would collide on a case-insensitive or normalizing file system (RFC 8493 5.3). */
function collisions(paths: readonly string[]): BagProblem[] {
  const found: BagProblem[] = [];
  for (const [, group] of indexBy(paths, (p) => p.normalize("NFC").toLowerCase())) {
    if (group.length < 2) continue;
    const message = `names collide on case-insensitive or normalizing file systems: ${group.map(showPath).join(", ")}`;
    found.push({ file: group[0]!, rule: "name-collision", message });
  }
  return found;
}
