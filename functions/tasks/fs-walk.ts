import type { Dirent } from "node:fs";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { statFile } from "../core/inline-fs.ts";

export interface WalkEntry {
  /** Path relative to the walked root, POSIX separators. */
  rel: string;
  abs: string;
  dirent: Dirent;
}

/** Walks a folder depth-first in byte order of names (deterministic across machines). */
export async function* walk(root: string, rel = ""): AsyncGenerator<WalkEntry> {
  const dir = rel ? path.join(root, ...rel.split("/")) : root;
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => Buffer.compare(Buffer.from(a.name), Buffer.from(b.name)));
  for (const dirent of entries) {
    const childRel = rel ? `${rel}/${dirent.name}` : dirent.name;
    yield { rel: childRel, abs: path.join(dir, dirent.name), dirent };
    if (dirent.isDirectory()) yield* walk(root, childRel);
  }
}

/** The regular files under root (relative paths), or throws naming the first entry that is not a file or folder. */
export async function listRegularFiles(root: string): Promise<string[]> {
  const files: string[] = [];
  for await (const e of walk(root)) {
    if (e.dirent.isFile()) files.push(e.rel);
    else if (!e.dirent.isDirectory()) throw new UnsupportedEntryError(e.rel, kindOf(e.dirent));
  }
  return files;
}

/** The regular files under root that `keep` accepts, `size` at a time, in walk order; throws as listRegularFiles does. */
export async function* regularFilePages(
  root: string,
  size: number,
  keep: (rel: string) => boolean = () => true,
): AsyncGenerator<string[]> {
  let page: string[] = [];
  for await (const e of walk(root)) {
    if (e.dirent.isFile()) {
      if (!keep(e.rel)) continue;
      page.push(e.rel);
      if (page.length === size) {
        yield page;
        page = [];
      }
    } else if (!e.dirent.isDirectory()) throw new UnsupportedEntryError(e.rel, kindOf(e.dirent));
  }
  if (page.length > 0) yield page;
}

export class UnsupportedEntryError extends Error {
  constructor(
    readonly rel: string,
    readonly kind: string,
  ) {
    super(`${rel}: ${kind} not allowed in a transfer`);
  }
}

export function kindOf(d: Dirent): string {
  if (d.isSymbolicLink()) return "symbolic link";
  if (d.isFIFO()) return "named pipe";
  if (d.isSocket()) return "socket";
  if (d.isCharacterDevice() || d.isBlockDevice()) return "device file";
  return "special file";
}

/** Whether anything exists at `p` (a file or a folder). */
export const exists = (p: string): Promise<boolean> =>
  statFile(p).then(
    () => true,
    () => false,
  );
