/** File-system helpers: streaming multi-digest hashing, bounded concurrency, recursive listing. */
import { createHash, type Hash } from "node:crypto";
import { open, readdir, stat } from "node:fs/promises";
import path from "node:path";
import type { Algorithm } from "./types.ts";

export const DEFAULT_CONCURRENCY = 8;
const READ_CHUNK_BYTES = 1024 * 1024;

/**
 * Hashes one file in a single streaming read, computing every requested digest at once. Reads in
 * chunks of at most 1 MiB into one buffer sized to the file, so small files cost one small read and
 * memory stays bounded whatever the file size.
 */
export async function hashFile(
  absolutePath: string,
  algorithms: readonly Algorithm[],
): Promise<{ digests: Partial<Record<Algorithm, string>>; size: number }> {
  const hashes = new Map<Algorithm, Hash>(algorithms.map((algorithm) => [algorithm, createHash(algorithm)]));
  let size = 0;
  const handle = await open(absolutePath, "r");
  try {
    const { size: expected } = await handle.stat();
    const buffer = Buffer.allocUnsafe(Math.max(1, Math.min(expected + 1, READ_CHUNK_BYTES)));
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      size += bytesRead;
      const chunk = buffer.subarray(0, bytesRead);
      for (const hash of hashes.values()) hash.update(chunk);
    }
  } finally {
    await handle.close();
  }
  const digests: Partial<Record<Algorithm, string>> = {};
  for (const [algorithm, hash] of hashes) digests[algorithm] = hash.digest("hex");
  return { digests, size };
}

/** Runs `work` over `items` with at most `concurrency` in flight; results keep the input order. */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Math.max(1, Math.min(Math.floor(concurrency) || 1, items.length));
  const runLane = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: lanes }, runLane));
  return results;
}

export type EntryKind = "file" | "symlink" | "other";

export interface ListedFile {
  /** Path relative to the listing root's parent prefix, "/"-separated (e.g. "data/a/b.txt"). */
  path: string;
  kind: EntryKind;
}

/**
 * Lists every non-directory entry under `root` (not following symbolic links), as "/"-joined paths
 * prefixed by `prefix`. Directories named in `skipTopLevel` are not entered (used to keep data/ out
 * of the tag-file listing).
 */
export async function listFiles(
  root: string,
  prefix: string,
  skipTopLevel: ReadonlySet<string> = new Set(),
): Promise<ListedFile[]> {
  const found: ListedFile[] = [];
  const pending: Array<{ dir: string; rel: string; top: boolean }> = [{ dir: root, rel: prefix, top: true }];
  while (pending.length > 0) {
    const { dir, rel, top } = pending.pop()!;
    const entries = await readdir(dir, { withFileTypes: true });
    for (const entry of entries) {
      const relPath = rel === "" ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!(top && skipTopLevel.has(entry.name))) {
          pending.push({ dir: path.join(dir, entry.name), rel: relPath, top: false });
        }
      } else if (entry.isFile()) {
        found.push({ path: relPath, kind: "file" });
      } else if (entry.isSymbolicLink()) {
        found.push({ path: relPath, kind: "symlink" });
      } else {
        found.push({ path: relPath, kind: "other" });
      }
    }
  }
  return found;
}

export async function isDirectory(absolutePath: string): Promise<boolean> {
  try {
    return (await stat(absolutePath)).isDirectory();
  } catch {
    return false;
  }
}

/** Joins a "/"-separated bag-relative path onto the bag directory. */
export function bagPath(bagDir: string, relative: string): string {
  return path.join(bagDir, ...relative.split("/"));
}
