import { constants, createReadStream } from "node:fs";
import { copyFile, mkdir, open, readdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { digestFile } from "../../core/digest.ts";
import { isPartialName, partialPathOf } from "../../core/temp-name.ts";
import type { ObjectStore, StoredObject } from "../../ports/object-store.ts";

/** An ObjectStore on a local folder (the AIP location of `stepmatica run --out DIR`). */
export class FolderObjectStore implements ObjectStore {
  constructor(readonly root: string) {}

  async putFile(key: string, localPath: string, options: { sha256?: string } = {}): Promise<StoredObject> {
    const target = this.pathOf(key);
    // A fixed temporary name: a put repeated after a crash overwrites the leftover instead of adding one.
    const temp = partialPathOf(target);
    try {
      // A clone where the file system can (same bytes, no copy), else a copy. The folder is made
      // only when missing: an AIP of thousands of files has far fewer folders than files.
      await copyFile(localPath, temp, constants.COPYFILE_FICLONE).catch(
        async (error: NodeJS.ErrnoException) => {
          if (error.code !== "ENOENT") throw error;
          await mkdir(path.dirname(target), { recursive: true });
          await copyFile(localPath, temp, constants.COPYFILE_FICLONE);
        },
      );
      const { size, digests } = await digestFile(temp);
      const sha256 = digests.sha256!;
      if (options.sha256 && options.sha256 !== sha256) {
        throw new Error(
          `checksum mismatch storing ${key}: expected ${options.sha256}, stored bytes hash to ${sha256}`,
        );
      }
      await rename(temp, target);
      return { key, size, sha256 };
    } catch (error) {
      await rm(temp, { force: true });
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

const hashFile = async (file: string) => (await digestFile(file)).digests.sha256!;
