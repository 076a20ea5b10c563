import fs from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ArchiveError, type ExtractLimits, extractArchive } from "../../../functions/archives/index.ts";
import {
  deflatedZeros,
  makeTempDir,
  put,
  type RawTarEntry,
  rawTar,
  rawZip,
  sevenZip,
  snapshot,
} from "./fixtures.ts";

let root: string;
let gigabyte: { compressed: Buffer; crc: number; size: number };

beforeAll(async () => {
  gigabyte = await deflatedZeros(1024);
});

beforeEach(async () => {
  root = await makeTempDir("bombs");
  await fs.mkdir(path.join(root, "work"));
});

afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

async function expectBomb(archive: string, limits?: Partial<ExtractLimits>): Promise<ArchiveError> {
  const before = await snapshot(root);
  const error = await extractArchive(archive, path.join(root, "work", "pkg"), limits ? { limits } : {}).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ArchiveError);
  expect((error as ArchiveError).code).toBe("bomb");
  expect(await snapshot(root)).toEqual(before);
  return error as ArchiveError;
}

describe("archive bombs", () => {
  it("refuses a zip of 1 GiB of zeros (honest headers) from its central directory, before writing", async () => {
    const archive = await put(
      path.join(root, "in", "gigabyte.zip"),
      rawZip([
        {
          name: "zeros.bin",
          compressed: gigabyte.compressed,
          declaredSize: gigabyte.size,
          crc: gigabyte.crc,
        },
      ]),
    );
    const error = await expectBomb(archive);
    expect(error.message).toMatch(/declares 1073741824 bytes, \d+× its size/);
  });

  it("refuses the same zip when its headers lie (declares 1000 bytes): counted while streaming", async () => {
    const archive = await put(
      path.join(root, "in", "liar.zip"),
      rawZip([{ name: "zeros.bin", compressed: gigabyte.compressed, declaredSize: 1000, crc: gigabyte.crc }]),
    );
    const error = await expectBomb(archive);
    expect(error.entry).toBe("zeros.bin");
    expect(error.message).toContain("expands beyond its declared 1000 bytes");
  });

  it("refuses a 1 GiB zip by maxBytes while streaming when the ratio is allowed", async () => {
    const archive = await put(
      path.join(root, "in", "liar-big.zip"),
      rawZip([{ name: "zeros.bin", compressed: gigabyte.compressed, declaredSize: 1000, crc: gigabyte.crc }]),
    );
    await expectBomb(archive, { maxRatio: 1e9, maxBytes: 5_000_000 });
  });

  it("refuses too many entries: a zip from its entry count, a tar while streaming", async () => {
    const names = Array.from({ length: 50 }, (_, i) => `f${i}.txt`);
    const zip = await put(
      path.join(root, "in", "many.zip"),
      rawZip(names.map((name) => ({ name, data: Buffer.from(name) }))),
    );
    expect((await expectBomb(zip, { maxEntries: 20 })).message).toContain(
      "50 entries exceed the limit of 20",
    );
    const tar = await put(
      path.join(root, "in", "many.tar"),
      rawTar(names.map((name) => ({ name, data: Buffer.from(name) }))),
    );
    expect((await expectBomb(tar, { maxEntries: 20 })).entry).toBe("f20.txt");
  });

  it("refuses a tar by maxBytes, naming the entry that passed it", async () => {
    const megabyte = Buffer.alloc(1024 * 1024, 0x61);
    const entries: RawTarEntry[] = ["a.bin", "b.bin", "c.bin"].map((name) => ({ name, data: megabyte }));
    const tar = await put(path.join(root, "in", "big.tar"), rawTar(entries));
    expect((await expectBomb(tar, { maxBytes: 2.5 * 1024 * 1024 })).entry).toBe("c.bin");
  });

  it("counts hard-linked copies: ten links to one file pass maxBytes", async () => {
    const entries: RawTarEntry[] = [{ name: "big.bin", data: Buffer.alloc(600 * 1024, 0x62) }];
    for (let i = 0; i < 10; i++) entries.push({ name: `copy${i}.bin`, type: "1", linkname: "big.bin" });
    const tar = await put(path.join(root, "in", "links.tar"), rawTar(entries));
    await expectBomb(tar, { maxBytes: 2 * 1024 * 1024 });
  });

  it("refuses tar.xz, xz and 7z of 8 MiB of zeros by ratio (7za stopped early)", async () => {
    const zeros = path.join(root, "src", "zeros.bin");
    await put(zeros, Buffer.alloc(8 * 1024 * 1024));
    await sevenZip(["a", "-ttar", "-bd", path.join(root, "src", "zeros.tar"), zeros]);
    await sevenZip([
      "a",
      "-txz",
      "-bd",
      path.join(root, "in", "zeros.tar.xz"),
      path.join(root, "src", "zeros.tar"),
    ]);
    await sevenZip(["a", "-txz", "-bd", path.join(root, "in", "zeros.xz"), zeros]);
    await sevenZip(["a", "-t7z", "-bd", path.join(root, "in", "zeros.7z"), zeros]);
    await fs.rm(path.join(root, "src"), { recursive: true });
    for (const name of ["zeros.tar.xz", "zeros.xz", "zeros.7z"]) {
      const error = await expectBomb(path.join(root, "in", name));
      expect(error.message).toMatch(/× its size \(limit 1000×\)/);
    }
  });
});
