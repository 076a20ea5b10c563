/**
 * Metadata files name files and folders as the depositor did ("objects/letters/minutes.txt");
 * "Clean up names" may have changed them since. This maps such a name to the path in the package.
 */
import type { FileRecord } from "../core/model.ts";
import { TransferMetadataError } from "./errors.ts";

export type TargetResolver = (name: string, where: string) => string;

/** A name relative to objects/ ("letters/minutes.txt"), or null for the package itself. */
function keyOf(name: string): string | null {
  const cleaned = name.trim().replace(/^\.\//, "").replace(/\/+$/, "");
  if (cleaned === "objects" || cleaned === "") return null;
  return cleaned.startsWith("objects/") ? cleaned.slice("objects/".length) : cleaned;
}

/** A resolver over `find` (a key → its path in the package), refusing what it cannot find. */
function resolverOver(find: (key: string) => string | undefined): TargetResolver {
  return (name, where) => {
    const key = keyOf(name);
    if (key === null) return "objects";
    const found = find(key);
    if (found !== undefined) return found;
    throw new TransferMetadataError(
      `${where}: ${JSON.stringify(name)} is not a file or folder of the transfer`,
    );
  };
}

/**
 * Finds keys among `files` (in filePages' order): a file by its original path or its path under
 * objects/, else a folder by the first original inside it.
 */
function finderIn(files: readonly FileRecord[]): (key: string) => string | undefined {
  const originals = files.filter(
    (f) => !f.removed && f.derivedFrom === null && f.path.startsWith("objects/"),
  );
  const byOriginal = new Map<string, string>();
  for (const file of originals) {
    byOriginal.set(file.originalPath, file.path);
    byOriginal.set(file.path.slice("objects/".length), file.path);
  }
  return (key) => {
    const file = byOriginal.get(key);
    if (file) return file;
    const depth = key.split("/").length;
    const inside = originals.find(
      (f) => f.originalPath.startsWith(`${key}/`) || f.path.startsWith(`objects/${key}/`),
    );
    return inside?.path
      .split("/")
      .slice(0, 1 + depth)
      .join("/");
  };
}

export function targetResolver(files: readonly FileRecord[]): TargetResolver {
  return resolverOver(finderIn(files));
}

/**
 * targetResolver for `names` only, without the unit's whole list: the originals they may mean are
 * read a page of names at a time (`originalsNamedBy`, in filePages' order, see StoreReader). Each
 * page's originals hold every file a name of the page means and the first original inside it, so
 * each name resolves as targetResolver over every file would.
 */
export async function namedTargetResolver(
  names: Iterable<string>,
  originalsNamedBy: (keys: string[]) => Promise<FileRecord[]>,
  pageSize: number,
): Promise<TargetResolver> {
  const keys = [...new Set([...names].flatMap((name) => keyOf(name) ?? []))];
  const found = new Map<string, string>();
  for (let start = 0; start < keys.length; start += pageSize) {
    const page = keys.slice(start, start + pageSize);
    const find = finderIn(await originalsNamedBy(page));
    for (const key of page) {
      const path = find(key);
      if (path !== undefined) found.set(key, path);
    }
  }
  return resolverOver((key) => found.get(key));
}

/**
 * The names `parse` asks to resolve in `text`. A name's path can change what parse does next, so a
 * first run answers every name with the package itself and only collects the names; if it stops
 * on an error, the names before it are enough: the run with real paths stops there too, or sooner.
 */
export function namesResolvedBy(parse: (resolve: TargetResolver) => unknown): string[] {
  const names: string[] = [];
  try {
    parse((name) => {
      names.push(name);
      return "objects";
    });
  } catch {
    // The error is thrown again, with its real context, when the text is parsed with real paths.
  }
  return names;
}
