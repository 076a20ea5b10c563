import { statfs } from "node:fs/promises";
import os from "node:os";

/** statfs's f_type of tmpfs (linux/magic.h). */
const TMPFS_MAGIC = 0x01021994;

/** The folder a roomy Linux machine keeps in memory for everyone (POSIX shared memory, a tmpfs). */
export const SHARED_MEMORY_FOLDER = "/dev/shm";

/**
 * `folder` when it is a tmpfs with at least `roomBytes` free and the process may still take that
 * much memory (MemAvailable, or the container's limit where one is set); else null. Room in a tmpfs
 * is a ceiling, not memory set aside: the memory check is what keeps a full folder from pushing the
 * machine out of memory. A container's default /dev/shm (64 MB in Docker and on ECS) never has the
 * room, so there the caller keeps its folder on disk.
 */
export async function roomyMemoryFolder(
  roomBytes: number,
  folder: string = SHARED_MEMORY_FOLDER,
): Promise<string | null> {
  if (process.platform !== "linux") return null;
  const fs = await statfs(folder).catch(() => null);
  if (!fs || Number(fs.type) !== TMPFS_MAGIC) return null;
  if (Number(fs.bavail) * Number(fs.bsize) < roomBytes) return null;
  const available = typeof process.availableMemory === "function" ? process.availableMemory() : os.freemem();
  return available >= roomBytes ? folder : null;
}
