import fs from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  ArchiveError,
  type ArchiveErrorCode,
  extractArchive,
  listArchive,
} from "../../../functions/archives/index.ts";
import {
  makeTempDir,
  put,
  type RawTarEntry,
  type RawZipEntry,
  rawTar,
  rawZip,
  sevenZip,
  snapshot,
} from "./fixtures.ts";

let root: string;

beforeEach(async () => {
  root = await makeTempDir("safety");
  await fs.mkdir(path.join(root, "work"));
});

afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

/** Extraction must fail with `code`, and the whole temp tree must look exactly as before. */
async function expectRefused(archive: string, code: ArchiveErrorCode): Promise<ArchiveError> {
  const before = await snapshot(root);
  const error = await extractArchive(archive, path.join(root, "work", "pkg")).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ArchiveError);
  const archiveError = error as ArchiveError;
  expect(archiveError.code).toBe(code);
  expect(archiveError.archive).toBe(path.basename(archive));
  expect(archiveError.message).toContain(path.basename(archive));
  expect(archiveError.message).not.toMatch(/\n/);
  expect(await snapshot(root)).toEqual(before);
  return archiveError;
}

const zipFile = (entries: RawZipEntry[]) => put(path.join(root, "in", "package.zip"), rawZip(entries));
const tarFile = (entries: RawTarEntry[]) => put(path.join(root, "in", "package.tar"), rawTar(entries));
const ok = (name: string): RawZipEntry => ({ name, data: Buffer.from(`content of ${name}\n`) });

describe("zip entries that try to leave destDir", () => {
  it.each([
    ["../evil.txt"],
    ["/tmp/stepmatica-evil.txt"],
    ["C:/evil.txt"],
    ["a/../../evil.txt"],
    ["a\\..\\..\\evil.txt"],
  ])("refuses %s as unsafe-path and names the entry", async (name) => {
    const error = await expectRefused(await zipFile([ok("fine.txt"), ok(name)]), "unsafe-path");
    expect(error.entry).toBeDefined();
    expect(error.message).toContain("package.zip");
  });

  it("refuses a symbolic link to ../.. and one to /etc as link-escape", async () => {
    const link = (target: string): RawZipEntry => ({
      name: "link",
      data: Buffer.from(target),
      mode: 0o120777,
      method: 0,
    });
    await expectRefused(await zipFile([ok("a.txt"), link("../../outside")]), "link-escape");
    await expectRefused(await zipFile([ok("a.txt"), link("/etc")]), "link-escape");
  });

  it("refuses an entry written through an earlier (inside) symbolic link", async () => {
    const archive = await zipFile([
      ok("sub/a.txt"),
      { name: "l", data: Buffer.from("sub"), mode: 0o120777, method: 0 },
      ok("l/evil.txt"),
    ]);
    const error = await expectRefused(archive, "link-escape");
    expect(error.entry).toBe("l/evil.txt");
  });

  it.each([
    ["FIFO", 0o010644],
    ["character device", 0o020644],
    ["block device", 0o060644],
    ["socket", 0o140644],
  ])("refuses a %s as special-file", async (_label, mode) => {
    await expectRefused(await zipFile([ok("a.txt"), { name: "dev", mode, method: 0 }]), "special-file");
  });
});

describe("tar entries that try to leave destDir", () => {
  const file = (name: string): RawTarEntry => ({ name, data: Buffer.from(`content of ${name}\n`) });

  it.each([["../evil.txt"], ["/tmp/stepmatica-evil.txt"], ["ok/../../evil.txt"]])(
    "refuses %s as unsafe-path",
    async (name) => {
      const error = await expectRefused(await tarFile([file("fine.txt"), file(name)]), "unsafe-path");
      expect(error.entry).toBe(name);
    },
  );

  it.each([["/etc"], ["../.."], ["sub/../../x"]])(
    "refuses a symbolic link to %s as link-escape",
    async (target) => {
      await expectRefused(
        await tarFile([file("a.txt"), { name: "link", type: "2", linkname: target }]),
        "link-escape",
      );
    },
  );

  it("refuses writing through a link that itself stays inside (d/up -> ..)", async () => {
    const archive = await tarFile([
      { name: "d/", type: "5" },
      { name: "d/up", type: "2", linkname: ".." },
      file("d/up/x.txt"),
    ]);
    await expectRefused(archive, "link-escape");
  });

  it.each([["/etc/passwd"], ["../outside.txt"], ["missing.txt"]])(
    "refuses a hard link to %s",
    async (target) => {
      await expectRefused(
        await tarFile([file("a.txt"), { name: "h", type: "1", linkname: target }]),
        "link-escape",
      );
    },
  );

  it.each([
    ["character device", "3"],
    ["block device", "4"],
    ["FIFO", "6"],
  ])("refuses a %s as special-file", async (_label, type) => {
    const error = await expectRefused(
      await tarFile([file("a.txt"), { name: "dev/tty0", type }]),
      "special-file",
    );
    expect(error.entry).toBe("dev/tty0");
  });
});

describe("7z entries that try to leave destDir", () => {
  it("refuses an absolute path (stored with -spf) before extracting", async () => {
    const source = await put(path.join(root, "src", "abs.txt"), "absolute\n");
    const archive = path.join(root, "in", "abs.7z");
    await sevenZip(["a", "-t7z", "-bd", "-spf", archive, source]);
    await expectRefused(archive, "unsafe-path");
  });

  it("refuses a symbolic link whose target escapes (checked after extraction, staging removed)", async () => {
    await put(path.join(root, "src", "a.txt"), "a\n");
    await fs.symlink("../../../outside", path.join(root, "src", "escape"));
    const archive = path.join(root, "in", "links.7z");
    await sevenZip(["a", "-t7z", "-bd", archive, "."], path.join(root, "src"));
    await expectRefused(archive, "link-escape");
  });
});

describe("7z: the listing is checked before 7za writes anything", () => {
  it("refuses a link followed by a folder of the same name (the write-through-link trick)", async () => {
    const archive = path.join(root, "in", "trick.7z");
    await fs.mkdir(path.join(root, "first"), { recursive: true });
    await fs.symlink(path.join(root, "outside-target"), path.join(root, "first", "l"));
    await sevenZip(["a", "-t7z", "-bd", archive, "."], path.join(root, "first"));
    await put(path.join(root, "second", "l", "x.txt"), "through the link\n");
    await sevenZip(["a", "-t7z", "-bd", archive, "."], path.join(root, "second"));
    await fs.rm(path.join(root, "first"), { recursive: true });
    await fs.rm(path.join(root, "second"), { recursive: true });
    const listed = await listArchive(archive);
    expect(
      listed
        .filter((entry) => entry.path === "l")
        .map((entry) => entry.type)
        .sort(),
    ).toEqual(["directory", "symlink"]);
    expect(listed.map((entry) => entry.path)).toContain("l/x.txt");
    await expectRefused(archive, "link-escape");
  });
});
