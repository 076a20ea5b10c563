import { lstat, readdir, rmdir } from "node:fs/promises";
import path from "node:path";
import { mapLimit } from "./concurrency.ts";
import { unlinkFile } from "./inline-fs.ts";

/** Entries of one folder removed at once (on a network file system each waits on the network). */
const REMOVALS_AT_ONCE = 16;

/**
 * Removes `target` and everything in it, as `rm -rf` does: nothing there is no error, a file is
 * removed, and a symbolic link is removed, never followed. One folder at a time, at most
 * REMOVALS_AT_ONCE entries at once. Node's `fs.rm(…, { recursive: true })` starts a removal for
 * every entry of a folder at once: 200,000 files in 100 folders took a process from 69 to 425 MB
 * of RSS (4.1 s), and the AIP's working copy of a 200,000-file transfer set the run's peak
 * (BENCHMARKS.md, "A sixth machine"). Errors other than "not there" are thrown as they come.
 */
export async function removeTree(target: string): Promise<void> {
  const found = await lstat(target).catch(whenMissing(null));
  if (!found) return;
  if (found.isDirectory()) await removeFolder(target);
  else await unlinkFile(target).catch(whenMissing(undefined));
}

/** A folder's files (a few at once), then its folders one after another, then the folder itself. */
async function removeFolder(folder: string): Promise<void> {
  const entries = await readdir(folder, { withFileTypes: true }).catch(whenMissing([]));
  await mapLimit(
    entries.filter((entry) => !entry.isDirectory()),
    REMOVALS_AT_ONCE,
    (entry) => unlinkFile(path.join(folder, entry.name)).catch(whenMissing(undefined)),
  );
  for (const entry of entries.filter((entry) => entry.isDirectory()))
    await removeFolder(path.join(folder, entry.name));
  await rmdir(folder).catch(whenMissing(undefined));
}

/** What a call gives when its path is not there (someone removed it first); other errors are thrown. */
function whenMissing<T>(fallback: T): (error: NodeJS.ErrnoException) => T {
  return (error) => {
    if (error.code !== "ENOENT") throw error;
    return fallback;
  };
}
