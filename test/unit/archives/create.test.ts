import fs from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  ArchiveError,
  createArchive,
  extractArchive,
  listArchive,
} from "../../../functions/archives/index.ts";
import { makeTempDir, noise, put, sevenZip, snapshot } from "./fixtures.ts";

let root: string;
let src: string;
const fixed = new Date("2020-05-17T12:34:56Z");

beforeEach(async () => {
  root = await makeTempDir("create");
  src = path.join(root, "aip-1234");
  await put(path.join(src, "bagit.txt"), "BagIt-Version: 1.0\n");
  await put(path.join(src, "data", "objects", "photo 1.tif"), noise(3 * 1024 * 1024, 3));
  await put(path.join(src, "data", "objects", "報告 😀.txt"), "names with CJK and emoji\n");
  await put(path.join(src, "data", "METS.xml"), "<mets/>\n".repeat(1000));
  await fs.mkdir(path.join(src, "data", "logs"), { recursive: true });
});

afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

async function touchAll(dir: string, when: Date): Promise<void> {
  for (const entry of await snapshot(dir)) await fs.utimes(path.join(dir, entry), when, when);
}

describe.each([["zip"], ["tar.gz"], ["7z"]] as const)("createArchive %s", (kind) => {
  it("is byte-identical across runs with a fixed mtime, even after the files' times change", async () => {
    const first = path.join(root, "out", `first.${kind}`);
    const second = path.join(root, "out", `second.${kind}`);
    await touchAll(src, new Date("2001-01-01T00:00:00Z"));
    await createArchive(src, first, kind, { mtime: fixed });
    await touchAll(src, new Date("2011-11-11T11:11:11Z"));
    await put(`${second}.partial`, "garbage left by a crashed run\n");
    await createArchive(src, second, kind, { mtime: fixed });
    const [a, b] = [await fs.readFile(first), await fs.readFile(second)];
    expect(a.length).toBeGreaterThan(3 * 1024 * 1024 * 0.9);
    expect(b.equals(a)).toBe(true);
    expect(await fs.readdir(path.join(root, "out"))).toEqual([`first.${kind}`, `second.${kind}`]);
  });

  it("is read back by 7za (an independent implementation) with every entry, sorted", async () => {
    const out = path.join(root, "out", `aip.${kind}`);
    await createArchive(src, out, kind, { mtime: fixed, level: 1 });
    const tested = await sevenZip(["t", "-bd", out]);
    expect(tested).toContain("Everything is Ok");
    const listed = await listArchive(out);
    const names = listed.map((entry) => entry.path.replace(/\/$/, ""));
    const expected = [
      "bagit.txt",
      "data",
      "data/METS.xml",
      "data/logs",
      "data/objects",
      "data/objects/photo 1.tif",
      "data/objects/報告 😀.txt",
    ];
    if (kind === "7z") expect([...names].sort()).toEqual(expected);
    else expect(names).toEqual(expected);
    const photo = listed.find((entry) => entry.path.endsWith("photo 1.tif"));
    expect(photo?.size).toBe(3 * 1024 * 1024);
  });

  it("replaces an existing output and refuses a source holding a symbolic link, leaving no partial file", async () => {
    const out = path.join(root, "out", `aip.${kind}`);
    await put(out, "previous version\n");
    await createArchive(src, out, kind, { mtime: fixed });
    expect((await fs.stat(out)).size).toBeGreaterThan(1000);
    await fs.symlink("/etc/passwd", path.join(src, "data", "link"));
    const error = await createArchive(src, out, kind).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ArchiveError);
    expect((error as ArchiveError).code).toBe("unsupported");
    expect((error as ArchiveError).entry).toBe("data/link");
    expect(await fs.readdir(path.join(root, "out"))).toEqual([`aip.${kind}`]);
  });
});

describe("createArchive zip and tar.gz without a fixed mtime", () => {
  it("record each file's own mtime", async () => {
    const own = new Date("2015-06-07T08:09:10Z");
    await touchAll(src, own);
    for (const kind of ["zip", "tar.gz"] as const) {
      const out = path.join(root, "out", `own.${kind}`);
      await createArchive(src, out, kind);
      const result = await extractArchive(out, path.join(root, "check", kind));
      expect(result.entries.map((entry) => entry.mtime?.toISOString())).toEqual(
        result.entries.map(() => own.toISOString()),
      );
    }
  });
});
