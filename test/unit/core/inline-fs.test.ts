import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  canRead,
  INLINE_READ_LIMIT,
  isLocalFileSystem,
  linkFile,
  localFolder,
  readSmallFileInline,
  statFile,
} from "../../../functions/core/inline-fs.ts";
import { readChunks } from "../../../functions/core/read-chunks.ts";

// Small files on a local disk are read synchronously (functions/core/inline-fs.ts); everything
// else, and every case the inline path declines, goes through the thread pool as before.
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "stepmatica-inline-fs-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("which file systems are read inline", () => {
  it("local ones by their statfs magic, never NFS (EFS), FUSE or CIFS", () => {
    expect(isLocalFileSystem(0xef53)).toBe(true); // ext4
    expect(isLocalFileSystem(0x58465342)).toBe(true); // xfs
    expect(isLocalFileSystem(0x01021994)).toBe(true); // tmpfs
    expect(isLocalFileSystem(0x794c7630)).toBe(true); // overlayfs
    expect(isLocalFileSystem(0x6969)).toBe(false); // nfs: EFS
    expect(isLocalFileSystem(0x65735546)).toBe(false); // fuse (s3fs, mountpoint-s3)
    expect(isLocalFileSystem(0xff534d42)).toBe(false); // cifs
    expect(isLocalFileSystem(0)).toBe(false);
  });

  it("this machine's temporary folder is local; a folder is not until it exists", async () => {
    expect(localFolder(dir)).toBe(true);
    const later = path.join(dir, "made-later");
    expect(localFolder(later)).toBe(false);
    await mkdir(later);
    expect(localFolder(later)).toBe(true);
  });
});

describe("readSmallFileInline", () => {
  it("reads a small file whole, and declines what it must not read inline", async () => {
    const bytes = randomBytes(3000);
    await writeFile(path.join(dir, "small"), bytes);
    await writeFile(path.join(dir, "empty"), "");
    await writeFile(path.join(dir, "large"), randomBytes(INLINE_READ_LIMIT + 1));
    await mkdir(path.join(dir, "folder"));
    expect(readSmallFileInline(path.join(dir, "small"))?.equals(bytes)).toBe(true);
    expect(readSmallFileInline(path.join(dir, "empty"))?.length).toBe(0);
    expect(readSmallFileInline(path.join(dir, "small"), 2999)).toBeNull();
    expect(readSmallFileInline(path.join(dir, "large"))).toBeNull();
    expect(readSmallFileInline(path.join(dir, "folder"))).toBeNull();
    expect(readSmallFileInline(path.join(dir, "missing"))).toBeNull();
  });

  it("declines a FIFO at once instead of waiting for a writer (it would stop the event loop)", () => {
    const fifo = path.join(dir, "fifo");
    execFileSync("mkfifo", [fifo]);
    // In a process of its own: a blocking open would hang this test file, not fail it.
    const module = pathToFileURL(path.resolve("functions/core/inline-fs.ts")).href;
    const child = spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "--input-type=module",
        "-e",
        `const m = await import(${JSON.stringify(module)}); console.log(String(m.readSmallFileInline(${JSON.stringify(fifo)})));`,
      ],
      { encoding: "utf8", timeout: 10_000 },
    );
    expect(child.signal).toBeNull();
    expect(child.stdout.trim()).toBe("null");
  });
});

describe("readChunks around the inline limit", () => {
  it.each([0, 1, INLINE_READ_LIMIT - 1, INLINE_READ_LIMIT, INLINE_READ_LIMIT + 1])(
    "a file of %i bytes arrives whole and in order",
    async (size) => {
      const bytes = randomBytes(size);
      const file = path.join(dir, `chunked-${size}`);
      await writeFile(file, bytes);
      const parts: Buffer[] = [];
      const offsets: number[] = [];
      const read = await readChunks(file, 4 << 20, (chunk, offset) => {
        offsets.push(offset);
        parts.push(Buffer.from(chunk));
      });
      expect(read).toBe(size);
      expect(Buffer.concat(parts).equals(bytes)).toBe(true);
      expect(offsets).toEqual(size === 0 ? [] : [0]);
    },
  );

  it("reports a missing file as the asynchronous read always did", async () => {
    await expect(readChunks(path.join(dir, "missing"), 4096, () => undefined)).rejects.toMatchObject({
      code: "ENOENT",
    });
  });

  it("gives the event loop a turn while it reads thousands of files inline", async () => {
    const many = path.join(dir, "many");
    await mkdir(many);
    const files = Array.from({ length: 3000 }, (_, i) => path.join(many, `f${i}`));
    for (const file of files) await writeFile(file, "x".repeat(200));
    let turned = false;
    setImmediate(() => {
      turned = true;
    });
    let readBeforeTurn = 0;
    for (const file of files) {
      await readChunks(file, 4 << 20, () => undefined);
      if (turned) break;
      readBeforeTurn++;
    }
    expect(turned).toBe(true);
    expect(readBeforeTurn).toBeLessThan(files.length);
  });
});

describe("statFile, canRead and linkFile", () => {
  it("answer as stat, lstat and access do, errors included", async () => {
    const file = path.join(dir, "looked-up");
    await writeFile(file, "12345");
    const link = path.join(dir, "link-to-looked-up");
    await symlink(file, link);
    expect((await statFile(file)).size).toBe(5);
    expect((await statFile(link)).isFile()).toBe(true);
    expect((await statFile(link, { followLinks: false })).isSymbolicLink()).toBe(true);
    await expect(statFile(path.join(dir, "missing"))).rejects.toMatchObject({ code: "ENOENT" });
    expect(await canRead(file)).toBe(true);
    expect(await canRead(path.join(dir, "missing"))).toBe(false);
  });

  it("linkFile makes a hard link, and fails as link does", async () => {
    const file = path.join(dir, "linked");
    await writeFile(file, "abc");
    await linkFile(file, path.join(dir, "linked-2"));
    expect((await statFile(file)).nlink).toBe(2);
    await expect(linkFile(file, path.join(dir, "linked-2"))).rejects.toMatchObject({ code: "EEXIST" });
    await expect(linkFile(file, path.join(dir, "no-folder", "x"))).rejects.toMatchObject({ code: "ENOENT" });
  });
});
