import { constants, createReadStream } from "node:fs";
import { copyFile, mkdir, open, readdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { digestFile } from "../../core/digest.ts";
import { linkFile } from "../../core/inline-fs.ts";
import { isPartialName, partialPathOf } from "../../core/temp-name.ts";
import type { ObjectStore, PutOptions, StoredObject } from "../../ports/object-store.ts";

/** An ObjectStore on a local folder (the AIP location of `stepmatica run --out DIR`). */
export class FolderObjectStore implements ObjectStore {
  constructor(readonly root: string) {}

  async putFile(key: string, localPath: string, options: PutOptions = {}): Promise<StoredObject> {
    const target = this.pathOf(key);
    if (options.handOver && (await this.linkInto(localPath, target))) {
      try {
        return await hashStored(key, target, options.sha256);
      } catch (error) {
        await rm(target, { force: true });
        throw error;
      }
    }
    // A fixed temporary name: a put repeated after a crash overwrites the leftover instead of adding one.
    const temp = partialPathOf(target);
    try {
      // A clone where the file system can (same bytes, no copy), else a copy. The folder is made
      // only when missing: an AIP of thousands of files has far fewer folders than files.
      await withFolder(target, () => copyFile(localPath, temp, constants.COPYFILE_FICLONE));
      const stored = await hashStored(key, temp, options.sha256);
      await rename(temp, target);
      return stored;
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  /**
   * Gives `target` the file `localPath` itself (a hard link); false when the file system cannot
   * (another file system, or no hard links). A link appears whole at once, so it needs no
   * temporary name, and it makes no new file: on a journal-less ext4, every new file makes the
   * inode allocator step past each file deleted in the last minutes, which made storing 10,000
   * small files take 5–8 s of kernel time after a few runs (see BENCHMARKS.md).
   */
  private async linkInto(localPath: string, target: string): Promise<boolean> {
    try {
      await withFolder(target, () => linkFile(localPath, target));
      return true;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EEXIST") {
        // Stored before (a retry) or an older object under that key: replaced, whichever it is.
        await rm(target, { force: true });
        return this.linkInto(localPath, target);
      }
      if (code === "EXDEV" || code === "EPERM" || code === "EMLINK" || code === "ENOTSUP") return false;
      throw error;
    }
  }

  async getToFile(key: string, localPath: string): Promise<void> {
    await mkdir(path.dirname(localPath), { recursive: true });
    const temp = partialPathOf(localPath);
    await copyFile(this.pathOf(key), temp);
    await rename(temp, localPath);
  }

  async openRead(key: string): Promise<Readable> {
    return createReadStream(this.pathOf(key));
  }

  async readRange(key: string, offset: number, length: number): Promise<Buffer> {
    const handle = await open(this.pathOf(key), "r");
    try {
      const buffer = Buffer.alloc(Math.max(0, length));
      let filled = 0;
      while (filled < buffer.length) {
        const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, offset + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return buffer.subarray(0, filled);
    } finally {
      await handle.close();
    }
  }

  async head(key: string): Promise<{ size: number } | null> {
    try {
      const s = await stat(this.pathOf(key));
      return s.isFile() ? { size: s.size } : null;
    } catch {
      return null;
    }
  }

  async *list(prefix: string): AsyncIterable<string> {
    const walk = async function* (dir: string, rel: string): AsyncGenerator<string> {
      let entries: import("node:fs").Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        return;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const e of entries) {
        const key = rel ? `${rel}/${e.name}` : e.name;
        if (e.isDirectory()) yield* walk(path.join(dir, e.name), key);
        else if (e.isFile() && !isPartialName(e.name)) yield key;
      }
    };
    for await (const key of walk(this.root, "")) if (key.startsWith(prefix)) yield key;
  }

  async sha256(key: string): Promise<string> {
    return hashFile(this.pathOf(key));
  }

  locationOf(key: string): string {
    return this.pathOf(key);
  }

  private pathOf(key: string): string {
    if (!key || key.startsWith("/") || key.split("/").some((p) => p === ".." || p === "" || p === ".")) {
      throw new Error(`invalid object key "${key}"`);
    }
    return path.join(this.root, ...key.split("/"));
  }
}

/** Size and SHA-256 of the bytes stored for `key` at `file`; a put fails when they are not `expected`. */
async function hashStored(key: string, file: string, expected?: string): Promise<StoredObject> {
  const { size, digests } = await digestFile(file);
  const sha256 = digests.sha256!;
  if (expected && expected !== sha256) {
    throw new Error(`checksum mismatch storing ${key}: expected ${expected}, stored bytes hash to ${sha256}`);
  }
  return { key, size, sha256, storedBytesHashed: true };
}

/** Runs `place` (which creates `target`); when its folder is missing, makes it and runs it again. */
async function withFolder(target: string, place: () => Promise<void>): Promise<void> {
  await place().catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== "ENOENT") throw error;
    await mkdir(path.dirname(target), { recursive: true });
    await place();
  });
}

const hashFile = async (file: string) => (await digestFile(file)).digests.sha256!;
