import {
  accessSync,
  closeSync,
  constants,
  fstatSync,
  linkSync,
  lstatSync,
  openSync,
  readSync,
  type Stats,
  statfsSync,
  statSync,
  unlinkSync,
} from "node:fs";
import { access, link, lstat, stat, unlink } from "node:fs/promises";
import path from "node:path";

/**
 * Small files read, and files looked up, synchronously where that is cheap. Each asynchronous
 * file-system call is a round trip through libuv's thread pool: a request queued, a pool thread
 * woken, the answer posted back. For the thousands of small files of a transfer on a local disk
 * that trip costs far more than the system call: reading and hashing 10,000 files of 0.2–6 KB took
 * 130 ms of CPU synchronously and 1.3–1.7 s through the pool (four pool threads on two cores, most
 * of it the kernel's, waking threads; BENCHMARKS.md, "Small files read inline"). On a network file
 * system (EFS is NFS) a call waits on the network instead, and the pool lets many wait side by side
 * while the event loop runs on: there, and wherever the file system is not known to be local,
 * files are read and looked up as before.
 */

/** Files up to this size may be read inline: one read, and the event loop blocked a few microseconds. */
export const INLINE_READ_LIMIT = 256 << 10;

/**
 * Linux file-system magic numbers (statfs f_type) of local, block- or memory-backed file systems.
 * Anything else (nfs 0x6969, fuse, cifs, 9p, ceph, other platforms' numbers) is read through the pool.
 */
const LOCAL_FILE_SYSTEMS = new Set([
  0xef53, // ext2/3/4
  0x58465342, // xfs
  0x9123683e, // btrfs
  0x01021994, // tmpfs
  0x858458f6, // ramfs
  0x794c7630, // overlayfs (containers)
  0xf2f52010, // f2fs
  0x2fc12fc1, // zfs
]);

export function isLocalFileSystem(type: number | bigint): boolean {
  return LOCAL_FILE_SYSTEMS.has(Number(type));
}

/** Folders already looked at; bounded (a 200,000-file transfer has thousands of folders). */
const folderIsLocal = new Map<string, boolean>();
const MAX_FOLDERS = 4096;

/** Whether files in this folder are on a local file system (statfs once per folder). */
export function localFolder(folder: string): boolean {
  const known = folderIsLocal.get(folder);
  if (known !== undefined) return known;
  let local: boolean;
  try {
    local = isLocalFileSystem(statfsSync(folder).type);
  } catch {
    // Not remembered: the folder may be made in a moment (then looked at again). Meanwhile the
    // asynchronous call reports why it cannot be used.
    return false;
  }
  if (folderIsLocal.size >= MAX_FOLDERS) folderIsLocal.clear();
  folderIsLocal.set(folder, local);
  return local;
}

/**
 * The whole content of `file` if it is a regular file of at most `limit` bytes on a local file
 * system, read synchronously; null in every other case, including any error: the caller then reads
 * it asynchronously, which reports errors as it always has. Opened non-blocking, so a FIFO put in
 * a file's place cannot stop the event loop (a regular file ignores the flag).
 */
export function readSmallFileInline(file: string, limit = INLINE_READ_LIMIT): Buffer | null {
  if (!localFolder(path.dirname(file))) return null;
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    return null;
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile() || stats.size > limit) return null;
    // One byte more than the file holds: a read that fills it means the file grew, and the
    // asynchronous path, which reads on to the end, takes it from the start. A regular file on a
    // local file system reads short only at its end, so one read that does not fill it is all of
    // it: no second read to see the end (10,000 system calls fewer in each job that reads files).
    const buffer = Buffer.allocUnsafe(stats.size + 1);
    const filled = readSync(fd, buffer, 0, buffer.length, 0);
    if (filled === buffer.length) return null;
    return buffer.subarray(0, filled);
  } catch {
    return null;
  } finally {
    closeQuietly(fd);
  }
}

/** Longest the event loop goes without a turn while files are read inline one after another. */
const SLICE_MS = 10;
let sliceStartedAt = -1;

/**
 * Awaited after each inline call: a task reading thousands of files inline would otherwise run in
 * one chain of promise continuations and hold the event loop (other tasks' replies, heartbeats,
 * lease extensions) for as long as it takes. The loop gets a turn every SLICE_MS; a turn it took on
 * its own meanwhile starts a new slice.
 */
export async function yieldAfterInline(): Promise<void> {
  const now = performance.now();
  if (sliceStartedAt < 0) {
    sliceStartedAt = now;
    setImmediate(() => {
      sliceStartedAt = -1;
    });
    return;
  }
  if (now - sliceStartedAt >= SLICE_MS) await new Promise<void>((resolve) => setImmediate(resolve));
}

/** `inline` on a local file system (then the event loop's turn is seen to), else `pooled`. */
async function inlineOr<T>(folder: string, inline: () => T, pooled: () => Promise<T>): Promise<T> {
  if (!localFolder(folder)) return pooled();
  const result = inline();
  await yieldAfterInline();
  return result;
}

/**
 * A file's stat (lstat with followLinks false): inline on a local file system, through the pool
 * elsewhere. Errors are the same either way (the synchronous call throws what the promise rejects with).
 */
export function statFile(file: string, options: { followLinks?: boolean } = {}): Promise<Stats> {
  const follow = options.followLinks ?? true;
  return inlineOr(
    path.dirname(file),
    () => (follow ? statSync(file) : lstatSync(file)),
    () => (follow ? stat(file) : lstat(file)),
  );
}

/** Whether this process may read the file (access R_OK), inline on a local file system. */
export function canRead(file: string): Promise<boolean> {
  return inlineOr(
    path.dirname(file),
    () => {
      try {
        accessSync(file, constants.R_OK);
        return true;
      } catch {
        return false;
      }
    },
    () =>
      access(file, constants.R_OK).then(
        () => true,
        () => false,
      ),
  );
}

/** A hard link, made inline on a local file system; errors as link's. */
export function linkFile(existing: string, target: string): Promise<void> {
  return inlineOr(
    path.dirname(target),
    () => linkSync(existing, target),
    () => link(existing, target),
  );
}

/** Removes a file or a symbolic link (never what it points to), inline on a local file system; errors as unlink's. */
export function unlinkFile(file: string): Promise<void> {
  return inlineOr(
    path.dirname(file),
    () => unlinkSync(file),
    () => unlink(file),
  );
}

/** A close error after a complete read changes nothing that was read. */
function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // nothing to do
  }
}
