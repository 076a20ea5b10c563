/** File-system helpers: recursive listing, paths inside the bag. (Hashing: core/digest.ts; concurrency: core/concurrency.ts.) */
import { readdir, stat } from "node:fs/promises";
import path from "node:path";

export const DEFAULT_CONCURRENCY = 8;

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

/**
 * The non-directory entries under `root` in pages of `pageSize`, in byte order of their whole
 * "/"-joined paths (manifest order): each folder's entries are sorted with a folder's name read as
 * "name/", so a depth-first walk meets the paths in that order. Holds one page and the entries of
 * the folders on the current path, not the whole tree.
 */
export async function* filePagesInByteOrder(
  root: string,
  prefix: string,
  pageSize: number,
): AsyncGenerator<ListedFile[]> {
  let page: ListedFile[] = [];
  for await (const entry of walkInByteOrder(root, prefix)) {
    page.push(entry);
    if (page.length === pageSize) {
      yield page;
      page = [];
    }
  }
  if (page.length > 0) yield page;
}

async function* walkInByteOrder(dir: string, rel: string): AsyncGenerator<ListedFile> {
  const entries = (await readdir(dir, { withFileTypes: true })).map((entry) => ({
    entry,
    key: Buffer.from(entry.isDirectory() ? `${entry.name}/` : entry.name, "utf8"),
  }));
  entries.sort((a, b) => Buffer.compare(a.key, b.key));
  for (const { entry } of entries) {
    const relPath = rel === "" ? entry.name : `${rel}/${entry.name}`;
    if (entry.isDirectory()) yield* walkInByteOrder(path.join(dir, entry.name), relPath);
    else
      yield { path: relPath, kind: entry.isFile() ? "file" : entry.isSymbolicLink() ? "symlink" : "other" };
  }
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
