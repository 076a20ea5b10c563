/** writeBag: round trip, determinism, idempotence, names, known digests, bad input. */
import { mkdir, readdir, readFile, rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { BagError, parseBagInfo, validateBag, writeBag } from "../../../functions/bagit/index.ts";
import { digestOf, encodeForManifest, expectValid, removeTempDirs, tempDir, writeAt } from "./helpers.ts";

afterEach(removeTempDirs);

const baggingDate = new Date("2026-03-04T05:06:07Z");
const payload: Record<string, string> = {
  "data/objects/a.txt": "alpha\n",
  "data/objects/with space.txt": "space",
  "data/objects/100% sure.txt": "percent",
  "data/objects/line\nbreak.txt": "newline",
  "data/objects/日本語 😀.txt": "cjk and emoji",
  "data/logs/transfer.log": "log line\n",
};

async function payloadDir(files: Record<string, string> = payload): Promise<string> {
  const dir = await tempDir();
  await mkdir(path.join(dir, "data"));
  for (const [p, content] of Object.entries(files)) await writeAt(dir, p, content);
  return dir;
}

async function snapshot(dir: string): Promise<Record<string, string>> {
  const names = (await readdir(dir)).filter((name) => name !== "data").sort();
  const files: Record<string, string> = {};
  for (const name of names) files[name] = await readFile(path.join(dir, name), "utf8");
  return files;
}

const options = {
  algorithms: ["sha256", "md5"] as ("sha256" | "md5")[],
  baggingDate,
  bagInfo: { "Source-Organization": "Example Archive", "External-Identifier": ["PP/ABC/1", "PP/ABC/2"] },
};

describe("writeBag", () => {
  it("writes a bag that validateBag accepts, with the RFC's tag files", async () => {
    const dir = await payloadDir();
    const written = await writeBag(dir, options);
    expect(written.payloadFiles).toBe(Object.keys(payload).length);
    expect(written.tagFiles).toEqual([
      "bag-info.txt",
      "bagit.txt",
      "manifest-md5.txt",
      "manifest-sha256.txt",
    ]);
    const result = await validateBag(dir);
    expectValid(result);
    expect(result.warnings).toEqual([]);
    expect(result.version).toBe("1.0");
    expect(await readFile(path.join(dir, "bagit.txt"), "utf8")).toBe(
      "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n",
    );
  });

  it("writes sorted, percent-encoded, LF-terminated manifest lines with correct digests", async () => {
    const dir = await payloadDir();
    await writeBag(dir, options);
    const text = await readFile(path.join(dir, "manifest-sha256.txt"), "utf8");
    const expected = Object.keys(payload)
      .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
      .map((p) => `${digestOf("sha256", payload[p]!)}  ${encodeForManifest(p)}\n`)
      .join("");
    expect(text).toBe(expected);
    expect(text).toContain("data/objects/line%0Abreak.txt");
    expect(text).toContain("data/objects/100%25 sure.txt");
    expect(text).not.toContain("\r");
  });

  it("writes bag-info.txt with date, computed Payload-Oxum, agent and repeated fields", async () => {
    const dir = await payloadDir();
    await writeBag(dir, options);
    const { fields, problems } = parseBagInfo(await readFile(path.join(dir, "bag-info.txt"), "utf8"));
    expect(problems).toEqual([]);
    const octets = Object.values(payload).reduce((sum, c) => sum + Buffer.byteLength(c), 0);
    expect(fields).toEqual([
      { label: "Bagging-Date", value: "2026-03-04" },
      { label: "Bag-Software-Agent", value: "stepmatica BagIt library" },
      { label: "Source-Organization", value: "Example Archive" },
      { label: "External-Identifier", value: "PP/ABC/1" },
      { label: "External-Identifier", value: "PP/ABC/2" },
      { label: "Payload-Oxum", value: `${octets}.${Object.keys(payload).length}` },
    ]);
  });

  it("folds long values onto continuation lines that read back to the same value", async () => {
    const long = Array.from({ length: 40 }, (_, i) => `word${i}`).join(" ");
    const dir = await payloadDir();
    await writeBag(dir, { baggingDate, bagInfo: { "Internal-Sender-Description": long } });
    const text = await readFile(path.join(dir, "bag-info.txt"), "utf8");
    for (const line of text.split("\n")) expect(line.length).toBeLessThanOrEqual(79);
    expect(text).toMatch(/\n [^ ]/);
    const parsed = parseBagInfo(text);
    expect(parsed.fields.find((f) => f.label === "Internal-Sender-Description")?.value).toBe(long);
    expectValid(await validateBag(dir));
  });

  it("is deterministic: two bags of the same payload have identical tag files", async () => {
    const first = await payloadDir();
    const second = await payloadDir();
    await writeBag(first, { ...options, concurrency: 1 });
    await writeBag(second, { ...options, concurrency: 16 });
    expect(await snapshot(second)).toEqual(await snapshot(first));
  });

  it("is idempotent: bagging a bag again gives the same bytes and no old tag file as payload", async () => {
    const dir = await payloadDir();
    await writeBag(dir, options);
    const before = await snapshot(dir);
    await writeFile(path.join(dir, ".bag-info.txt.999.stepmatica-tmp"), "left over by a crash");
    await writeBag(dir, options);
    expect(await snapshot(dir)).toEqual(before);
    expect(before["manifest-sha256.txt"]).not.toMatch(/bagit\.txt|manifest/);
  });

  it("drops manifests of algorithms no longer requested and lists extra tag files", async () => {
    const dir = await payloadDir();
    await writeBag(dir, { ...options, algorithms: ["md5", "sha1"] });
    await writeAt(dir, "metadata-tags/notes.txt", "tag directory file");
    await writeBag(dir, { ...options, algorithms: ["sha512"] });
    const names = (await readdir(dir)).sort();
    expect(names).toEqual([
      "bag-info.txt",
      "bagit.txt",
      "data",
      "manifest-sha512.txt",
      "metadata-tags",
      "tagmanifest-sha512.txt",
    ]);
    expect(await readFile(path.join(dir, "tagmanifest-sha512.txt"), "utf8")).toContain(
      "metadata-tags/notes.txt",
    );
    expectValid(await validateBag(dir));
  });

  it("uses known digests instead of reading those files again", async () => {
    const dir = await payloadDir({ "data/a.txt": "alpha", "data/b.txt": "beta" });
    // A deliberately different digest proves the file was not re-hashed.
    const stale = digestOf("sha256", "not alpha");
    const knownDigests = new Map([["data/a.txt", { sha256: stale.toUpperCase() }]]);
    const written = await writeBag(dir, { baggingDate, knownDigests });
    expect(written.hashedFiles).toBe(1);
    expect(await readFile(path.join(dir, "manifest-sha256.txt"), "utf8")).toContain(`${stale}  data/a.txt`);
    const result = await validateBag(dir);
    expect(result.problems).toEqual([
      expect.objectContaining({ file: "data/a.txt", rule: "checksum-mismatch" }),
    ]);
  });

  it("takes a known file's size as given, without looking at the file", async () => {
    const dir = await payloadDir({ "data/a.txt": "alpha", "data/b.txt": "beta" });
    // A size the file does not have proves it was not read from disk: it lands in Payload-Oxum.
    const knownDigests = new Map([["data/a.txt", { sha256: digestOf("sha256", "alpha"), size: 99 }]]);
    const written = await writeBag(dir, { baggingDate, knownDigests });
    expect(written).toMatchObject({ payloadOctets: 99 + 4, hashedFiles: 1 });
    const info = parseBagInfo(await readFile(path.join(dir, "bag-info.txt"), "utf8"));
    expect(info.fields.find((field) => field.label === "Payload-Oxum")?.value).toBe("103.2");
    expect((await validateBag(dir)).problems).toEqual([expect.objectContaining({ rule: "payload-oxum" })]);
    // Without a size, the file's own is read.
    await writeBag(dir, {
      baggingDate,
      knownDigests: new Map([["data/a.txt", { sha256: digestOf("sha256", "alpha") }]]),
    });
    expectValid(await validateBag(dir));
  });

  it("hashes only the algorithms a known digest does not cover", async () => {
    const dir = await payloadDir({ "data/a.txt": "alpha" });
    const knownDigests = new Map([["data/a.txt", { md5: digestOf("md5", "alpha") }]]);
    const written = await writeBag(dir, { baggingDate, knownDigests, algorithms: ["md5", "sha256"] });
    expect(written.hashedFiles).toBe(1);
    expectValid(await validateBag(dir));
  });

  it("handles an empty payload", async () => {
    const dir = await payloadDir({});
    await writeBag(dir, { baggingDate });
    expect(await readFile(path.join(dir, "manifest-sha256.txt"), "utf8")).toBe("");
    expectValid(await validateBag(dir));
  });

  it("refuses bad input with an error naming the file", async () => {
    const noData = await tempDir();
    await expect(writeBag(noData)).rejects.toThrow(/data: payload directory data\/ is missing/);
    const dir = await payloadDir({ "data/a.txt": "alpha" });
    await expect(writeBag(dir, { algorithms: ["sha3" as "md5"] })).rejects.toThrow(BagError);
    await expect(writeBag(dir, { bagInfo: { "Payload-Oxum": "1.1" } })).rejects.toThrow(
      /computed by writeBag/,
    );
    await expect(writeBag(dir, { bagInfo: { "Bad:Label": "x" } })).rejects.toThrow(/invalid label/);
    await expect(writeBag(dir, { bagInfo: { Note: "two\nlines" } })).rejects.toThrow(/line break/);
    const badKnown = new Map([["data/a.txt", { sha256: "abc" }]]);
    await expect(writeBag(dir, { knownDigests: badKnown })).rejects.toThrow(
      /data\/a\.txt: known sha256 digest/,
    );
    const badSize = new Map([["data/a.txt", { sha256: digestOf("sha256", "alpha"), size: -1 }]]);
    await expect(writeBag(dir, { knownDigests: badSize })).rejects.toThrow(/data\/a\.txt: known size -1/);
    await symlink("a.txt", path.join(dir, "data", "link.txt"));
    await expect(writeBag(dir)).rejects.toThrow(/data\/link\.txt: a symbolic link/);
    await rm(path.join(dir, "data", "link.txt"));
    expect((await readdir(dir)).sort()).toEqual(["data"]);
  });
});
