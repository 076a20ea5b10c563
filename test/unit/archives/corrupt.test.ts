import fs from "node:fs/promises";
import path from "node:path";
import zlib from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ArchiveError, detectArchive, extractArchive } from "../../../functions/archives/index.ts";
import { makeTempDir, noise, put, rawTar, rawZip, sevenZip, snapshot } from "./fixtures.ts";

let root: string;
const whole = new Map<string, string>();

beforeAll(async () => {
  root = await makeTempDir("corrupt");
  await fs.mkdir(path.join(root, "work"));
  const files = [
    { name: "first.bin", data: noise(150_000, 7) },
    { name: "second.bin", data: noise(150_000, 9) },
  ];
  const src = path.join(root, "src");
  for (const file of files) await put(path.join(src, file.name), file.data);
  const tar = rawTar(files);
  whole.set("package.zip", await put(path.join(root, "whole", "package.zip"), rawZip(files)));
  whole.set("package.tar", await put(path.join(root, "whole", "package.tar"), tar));
  whole.set("package.tar.gz", await put(path.join(root, "whole", "package.tar.gz"), zlib.gzipSync(tar)));
  whole.set("single.gz", await put(path.join(root, "whole", "single.gz"), zlib.gzipSync(files[0]!.data)));
  for (const [type, suffix] of [
    ["bzip2", "tar.bz2"],
    ["xz", "tar.xz"],
  ]) {
    const out = path.join(root, "whole", `package.${suffix}`);
    await sevenZip(["a", `-t${type}`, "-bd", out, path.join(root, "whole", "package.tar")]);
    whole.set(`package.${suffix}`, out);
  }
  const sevenZ = path.join(root, "whole", "package.7z");
  await sevenZip(["a", "-t7z", "-bd", "-ms=off", sevenZ, "."], src);
  whole.set("package.7z", sevenZ);
});

afterAll(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

async function expectCorrupt(archive: string): Promise<ArchiveError> {
  const before = await snapshot(root);
  const error = await extractArchive(archive, path.join(root, "work", "pkg")).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ArchiveError);
  expect((error as ArchiveError).code).toBe("corrupt");
  expect((error as ArchiveError).message).toMatch(
    new RegExp(`^corrupt archive: ${path.basename(archive).replace(/\./g, "\\.")}: \\S`),
  );
  expect(await snapshot(root)).toEqual(before);
  return error as ArchiveError;
}

describe("truncated archives", () => {
  it.each([
    ["package.zip"],
    ["package.tar"],
    ["package.tar.gz"],
    ["package.tar.bz2"],
    ["package.tar.xz"],
    ["package.7z"],
    ["single.gz"],
  ])("%s cut in half is refused as corrupt, with a one-line reason", async (name) => {
    const full = await fs.readFile(whole.get(name)!);
    const cut = await put(path.join(root, "cut", name), full.subarray(0, Math.floor(full.length / 2)));
    if (name !== "package.zip" && name !== "package.7z") expect(await detectArchive(cut)).not.toBeNull();
    const error = await expectCorrupt(cut);
    expect(error.message).not.toMatch(/\n/);
  });

  it("the uncut archives extract (the cut is what breaks them)", async () => {
    for (const [name, file] of whole) {
      const result = await extractArchive(file, path.join(root, "work", `ok-${name}`));
      expect(result.totalBytes, name).toBe(name === "single.gz" ? 150_000 : 300_000);
    }
  });

  it("a tar that stops exactly between entries (no end-of-archive block) is corrupt", async () => {
    const tar = rawTar([{ name: "a.txt", data: Buffer.alloc(512, 0x61) }]);
    const cut = await put(path.join(root, "cut", "boundary.tar"), tar.subarray(0, 1024));
    expect((await expectCorrupt(cut)).message).toContain("end-of-archive");
  });
});

describe("zips whose data does not match their headers", () => {
  it("a wrong CRC-32 is corrupt and names the entry", async () => {
    const zip = await put(
      path.join(root, "bad", "crc.zip"),
      rawZip([{ name: "a.txt", data: Buffer.from("abc"), crc: 1234 }]),
    );
    const error = await expectCorrupt(zip);
    expect(error.entry).toBe("a.txt");
    expect(error.message).toContain("CRC-32 mismatch");
  });

  it("fewer bytes than declared is corrupt", async () => {
    const zip = await put(
      path.join(root, "bad", "short.zip"),
      rawZip([{ name: "a.txt", data: Buffer.from("abc"), declaredSize: 10 }]),
    );
    expect((await expectCorrupt(zip)).message).toContain("3 bytes where 10 were declared");
  });

  it("garbage after a zip signature is corrupt", async () => {
    const zip = await put(
      path.join(root, "bad", "garbage.zip"),
      Buffer.concat([Buffer.from("PK\u0003\u0004"), noise(2000)]),
    );
    await expectCorrupt(zip);
  });
});
