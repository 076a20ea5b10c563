import fs from "node:fs/promises";
import path from "node:path";
import type { ExtractBudget } from "./budget.ts";
import { checkSymlinkTarget, safeEntryPath } from "./entry-path.ts";
import { EntryPlanner } from "./entry-planner.ts";
import { ArchiveError } from "./errors.ts";
import { type ListedBlock, parseAttributes, readListing } from "./list-7z.ts";
import { sevenZipReason, spawnSevenZip } from "./seven-zip.ts";
import type { ExtractedEntry, ExtractResult } from "./types.ts";
import { watchFolderSize } from "./watch-size.ts";

interface Expected {
  kind: "file" | "dir" | "symlink";
  size: number;
  hasMtime: boolean;
}

/**
 * 7z (and zips yauzl cannot decode) through 7za: list first and refuse unsafe names, links
 * through links, special files and declared sizes over the limits; extract into the staging
 * folder while watching its size; then verify that what is on disk is exactly what was listed.
 */
export async function extractWithSevenZip(
  file: string,
  staging: string,
  type: "7z" | "zip",
  budget: ExtractBudget,
  signal?: AbortSignal,
): Promise<Omit<ExtractResult, "kind">> {
  const archive = file;
  const planner = new EntryPlanner(archive);
  const expected = new Map<string, Expected>();
  let declaredBytes = 0;
  await readListing(file, type, signal, (block: ListedBlock) => {
    const entryPath = safeEntryPath(block.path, archive);
    budget.addEntry(block.path);
    if (entryPath === null) return;
    if (block.encrypted) throw new ArchiveError("unsupported", archive, "encrypted entry", block.path);
    const kind = parseAttributes(block, archive);
    const previous = expected.get(entryPath);
    if (previous && (previous.kind === "symlink" || kind === "symlink") && previous.kind !== kind) {
      throw new ArchiveError("link-escape", archive, "entry replaces a symbolic link", block.path);
    }
    if (previous && (previous.kind === "dir") !== (kind === "dir")) {
      throw new ArchiveError("corrupt", archive, "entry is both a file and a folder", block.path);
    }
    planner.place(entryPath, kind);
    expected.set(entryPath, { kind, size: block.size, hasMtime: block.hasMtime });
    if (kind === "file") declaredBytes += block.size;
  });
  budget.checkDeclared(budget.entries, declaredBytes);

  const { child, done } = await spawnSevenZip(
    ["x", `-t${type}`, "-y", "-aoa", "-bd", "-p-", `-o${staging}`, "--", file],
    { signal },
  );
  child.stdout?.resume();
  const watch = watchFolderSize(staging, declaredBytes, () => child.kill());
  const { code, stderr } = await done.finally(() => watch.stop());
  if (watch.exceeded)
    throw new ArchiveError("bomb", archive, `expands beyond its declared ${declaredBytes} bytes`);
  if (code !== 0) throw new ArchiveError("corrupt", archive, sevenZipReason(stderr, code));

  const mtimes = await verifyExtracted(staging, expected, budget, archive);
  for (const { from, to } of planner.renamed) {
    const current = path.posix.join(path.posix.dirname(to), path.posix.basename(from));
    await fs.rename(path.join(staging, current), path.join(staging, to));
  }
  const entries: ExtractedEntry[] = [];
  const symlinks: Array<{ path: string; target: string }> = [];
  for (const [original, item] of expected) {
    const actual = planner.lookup(original)!.actual;
    if (item.kind === "file") {
      const mtime = item.hasMtime ? mtimes.get(original) : undefined;
      entries.push({ path: actual, size: item.size, ...(mtime ? { mtime } : {}) });
    }
    if (item.kind === "symlink")
      symlinks.push({ path: actual, target: await fs.readlink(path.join(staging, actual)) });
  }
  const byPath = (a: { path: string }, b: { path: string }) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
  return {
    entries: entries.sort(byPath),
    symlinks: symlinks.sort(byPath),
    totalBytes: budget.totalBytes,
    renamed: [...planner.renamed],
  };
}

/** Everything on disk must be listed, with the listed size and type; links must stay inside. */
async function verifyExtracted(
  root: string,
  expected: Map<string, Expected>,
  budget: ExtractBudget,
  archive: string,
): Promise<Map<string, Date>> {
  const mtimes = new Map<string, Date>();
  const seen = new Set<string>();
  const walk = async (relative: string): Promise<void> => {
    for (const dirent of await fs.readdir(path.join(root, relative), { withFileTypes: true })) {
      const entryPath = relative === "" ? dirent.name : `${relative}/${dirent.name}`;
      const stat = await fs.lstat(path.join(root, entryPath));
      const want = expected.get(entryPath);
      if (stat.isDirectory()) {
        if (want && want.kind !== "dir") throw mismatch(entryPath, "is a folder");
        await walk(entryPath);
        continue;
      }
      if (stat.isSymbolicLink()) {
        checkSymlinkTarget(entryPath, await fs.readlink(path.join(root, entryPath)), archive);
        if (want?.kind !== "symlink") throw mismatch(entryPath, "is an unlisted link");
      } else if (stat.isFile()) {
        if (want?.kind !== "file") throw mismatch(entryPath, "is an unlisted file");
        if (stat.size !== want.size) throw mismatch(entryPath, `has ${stat.size} bytes, listed ${want.size}`);
        budget.addBytes(stat.size, entryPath);
        mtimes.set(entryPath, stat.mtime);
      } else {
        throw new ArchiveError("special-file", archive, "device, FIFO or socket", entryPath);
      }
      seen.add(entryPath);
    }
  };
  const mismatch = (entryPath: string, what: string) =>
    new ArchiveError("corrupt", archive, `after extraction the entry ${what}`, entryPath);
  await walk("");
  for (const [entryPath, item] of expected) {
    if (item.kind !== "dir" && !seen.has(entryPath)) throw mismatch(entryPath, "is missing");
  }
  return mtimes;
}
