/** readManifest / parseManifest / parseBagInfo / path encoding and verifyChecksumFile. */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  BagError,
  decodeManifestPath,
  encodeManifestPath,
  parseBagInfo,
  readManifest,
  verifyChecksumFile,
} from "../../../functions/bagit/index.ts";
import { digestOf, removeTempDirs, tempDir, writeAt } from "./helpers.ts";

afterEach(removeTempDirs);

describe("manifest path encoding", () => {
  it.each([
    ["data/a b.txt", "data/a b.txt"],
    ["data/100%.txt", "data/100%25.txt"],
    ["data/x\ny\rz", "data/x%0Ay%0Dz"],
    ["data/%0A literally", "data/%250A literally"],
    ["data/日本 😀", "data/日本 😀"],
  ])("%j ↔ %j", (plain, encoded) => {
    expect(encodeManifestPath(plain)).toBe(encoded);
    expect(decodeManifestPath(encoded)).toBe(plain);
  });

  it("decodes lower-case escapes too", () => {
    expect(decodeManifestPath("data/a%0ab%0dc%25")).toBe("data/a\nb\rc%");
  });
});

describe("readManifest", () => {
  it("reads entries with decoded paths, lower-case digests and line numbers", async () => {
    const dir = await tempDir();
    const digest = digestOf("sha1", "x").toUpperCase();
    await writeFile(
      path.join(dir, "manifest-sha1.txt"),
      `${digest}  data/a%0Ab.txt\r\n${digest}\tdata/c.txt`,
    );
    const manifest = await readManifest(path.join(dir, "manifest-sha1.txt"));
    expect(manifest.algorithm).toBe("sha1");
    expect(manifest.problems).toEqual([]);
    expect(manifest.entries).toEqual([
      { path: "data/a\nb.txt", digest: digest.toLowerCase(), line: 1 },
      { path: "data/c.txt", digest: digest.toLowerCase(), line: 2 },
    ]);
  });

  it("throws a BagError naming the file when it cannot be read", async () => {
    const dir = await tempDir();
    await expect(readManifest(path.join(dir, "manifest-md5.txt"))).rejects.toThrow(BagError);
    await expect(readManifest(path.join(dir, "checksums.txt"))).rejects.toThrow(/checksums\.txt/);
  });
});

describe("parseBagInfo", () => {
  it("joins continuation lines and keeps repeated labels in order", () => {
    const { fields, problems } = parseBagInfo("A: one\n  two\nB: x\nA: three\n");
    expect(problems).toEqual([]);
    expect(fields).toEqual([
      { label: "A", value: "one two" },
      { label: "B", value: "x" },
      { label: "A", value: "three" },
    ]);
  });

  it("keeps a label's inner spaces and the value's extra spaces in 1.0", () => {
    expect(parseBagInfo("Contact Name:  padded\n").fields).toEqual([
      { label: "Contact Name", value: " padded" },
    ]);
  });
});

describe("verifyChecksumFile", () => {
  async function transfer(): Promise<string> {
    const root = await tempDir();
    await writeAt(root, "objects/a.txt", "alpha");
    await writeAt(root, "objects/sub dir/b 100%.txt", "beta");
    await mkdir(path.join(root, "metadata"), { recursive: true });
    return root;
  }

  it.each(["md5", "sha1", "sha256", "sha512"] as const)("accepts a correct %s file", async (algorithm) => {
    const root = await transfer();
    const lines = `${digestOf(algorithm, "alpha")}  objects/a.txt\n${digestOf(algorithm, "beta")}  objects/sub dir/b 100%25.txt\n`;
    await writeFile(path.join(root, "metadata", `checksum.${algorithm}`), lines);
    expect(await verifyChecksumFile(root, `metadata/checksum.${algorithm}`, algorithm)).toEqual([]);
  });

  it("accepts Archivematica-style ../objects paths relative to metadata/", async () => {
    const root = await transfer();
    await writeFile(
      path.join(root, "metadata", "checksum.md5"),
      `${digestOf("md5", "alpha")}  ../objects/a.txt\n`,
    );
    expect(await verifyChecksumFile(root, path.join(root, "metadata", "checksum.md5"), "md5")).toEqual([]);
  });

  it("accepts paths relative to objects/ (md5deep -rl run there), when asked to look there", async () => {
    const root = await transfer();
    await writeFile(
      path.join(root, "metadata", "checksum.md5"),
      `${digestOf("md5", "alpha")}  a.txt\n${digestOf("md5", "beta")}  sub dir/b 100%.txt\n`,
    );
    const options = { alsoRelativeTo: ["objects"] };
    expect(await verifyChecksumFile(root, "metadata/checksum.md5", "md5", options)).toEqual([]);
    // Without the option the same file names files that are not there.
    const rootOnly = await verifyChecksumFile(root, "metadata/checksum.md5", "md5");
    expect(rootOnly.map((p) => `${p.file} ${p.rule}`)).toEqual([
      "a.txt file-missing",
      "sub dir/b 100%.txt file-missing",
    ]);
    // A file missing under both is named as objects/ would have it.
    await writeFile(path.join(root, "metadata", "checksum.md5"), `${digestOf("md5", "x")}  gone.txt\n`);
    expect(await verifyChecksumFile(root, "metadata/checksum.md5", "md5", options)).toEqual([
      {
        file: "objects/gone.txt",
        rule: "file-missing",
        message: "listed in metadata/checksum.md5 but not present",
      },
    ]);
  });

  it("accepts md5sum's binary-mode marker ('<digest> *<path>')", async () => {
    const root = await transfer();
    await writeFile(
      path.join(root, "metadata", "checksum.md5"),
      `${digestOf("md5", "alpha")} *objects/a.txt\n`,
    );
    expect(await verifyChecksumFile(root, "metadata/checksum.md5", "md5")).toEqual([]);
  });

  it("reports mismatches, missing files, malformed lines and escapes, naming each file", async () => {
    const root = await transfer();
    const text = [
      `${digestOf("sha256", "wrong")}  objects/a.txt`,
      `${digestOf("sha256", "x")}  objects/gone.txt`,
      "zzz objects/a.txt",
      `${digestOf("sha256", "x")}  ../../etc/passwd`,
    ].join("\n");
    await writeFile(path.join(root, "metadata", "checksum.sha256"), text);
    const problems = await verifyChecksumFile(root, "metadata/checksum.sha256", "sha256");
    expect(problems.map((p) => [p.file, p.rule])).toEqual([
      ["metadata/checksum.sha256:3", "manifest-line"],
      ["objects/a.txt", "checksum-mismatch"],
      ["objects/gone.txt", "file-missing"],
      ["metadata/checksum.sha256", "path-escapes-bag"],
    ]);
  });

  it("reports a checksum file that does not exist", async () => {
    const root = await transfer();
    const problems = await verifyChecksumFile(root, "metadata/checksum.md5", "md5");
    expect(problems).toEqual([
      expect.objectContaining({ file: "metadata/checksum.md5", rule: "file-missing" }),
    ]);
  });
});
