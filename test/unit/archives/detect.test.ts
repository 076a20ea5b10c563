import fs from "node:fs/promises";
import path from "node:path";
import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { detectArchive } from "../../../functions/archives/index.ts";
import { makeTempDir, put, rawTar, rawZip, sevenZip } from "./fixtures.ts";

let dir: string;
const tarBytes = rawTar([{ name: "hello.txt", data: Buffer.from("hello\n") }]);

beforeAll(async () => {
  dir = await makeTempDir("detect");
  await put(path.join(dir, "plain.txt"), "just text, no archive\n".repeat(40));
  await put(path.join(dir, "one.tar"), tarBytes);
  await put(path.join(dir, "one.zip"), rawZip([{ name: "a.txt", data: Buffer.from("a") }]));
  await put(path.join(dir, "one.tar.gz"), zlib.gzipSync(tarBytes));
  await put(path.join(dir, "text.gz"), zlib.gzipSync(Buffer.from("not a tar\n".repeat(100))));
  for (const [type, suffix] of [
    ["bzip2", "bz2"],
    ["xz", "xz"],
  ]) {
    await sevenZip(["a", `-t${type}`, "-bd", path.join(dir, `one.tar.${suffix}`), path.join(dir, "one.tar")]);
    await sevenZip(["a", `-t${type}`, "-bd", path.join(dir, `text.${suffix}`), path.join(dir, "plain.txt")]);
  }
  await sevenZip(["a", "-t7z", "-bd", path.join(dir, "one.7z"), path.join(dir, "plain.txt")]);
});

afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe("detectArchive", () => {
  it.each([
    ["one.zip", "zip"],
    ["one.tar", "tar"],
    ["one.tar.gz", "tar.gz"],
    ["one.tar.bz2", "tar.bz2"],
    ["one.tar.xz", "tar.xz"],
    ["text.gz", "gz"],
    ["text.bz2", "bz2"],
    ["text.xz", "xz"],
    ["one.7z", "7z"],
  ])("recognizes %s as %s by its content", async (name, kind) => {
    expect(await detectArchive(path.join(dir, name))).toBe(kind);
  });

  it("judges by content, not by name: a renamed tar.gz is still tar.gz", async () => {
    const renamed = await put(
      path.join(dir, "misnamed.pdf"),
      await fs.readFile(path.join(dir, "one.tar.gz")),
    );
    expect(await detectArchive(renamed)).toBe("tar.gz");
  });

  it("returns null for a .zip that is plain text, an empty file and a .7z full of zeros", async () => {
    expect(
      await detectArchive(await put(path.join(dir, "fake.zip"), "PK is not enough: this is text\n")),
    ).toBeNull();
    expect(await detectArchive(await put(path.join(dir, "empty.tar"), Buffer.alloc(0)))).toBeNull();
    expect(await detectArchive(await put(path.join(dir, "zeros.7z"), Buffer.alloc(4096)))).toBeNull();
  });

  it("returns null for a tar header whose checksum is wrong", async () => {
    const broken = Buffer.from(tarBytes);
    broken[0] = 0x5a; // change the name, keep the old checksum
    expect(await detectArchive(await put(path.join(dir, "broken.tar"), broken))).toBeNull();
  });
});
