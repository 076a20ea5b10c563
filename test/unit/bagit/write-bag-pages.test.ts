/** writeBag on a payload larger than a page: manifests written a page at a time, in manifest order. */
import { mkdir, readdir, readFile, symlink, truncate } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MANIFEST_PAGE, validateBag, writeBag } from "../../../functions/bagit/index.ts";
import { digestOf, expectValid, removeTempDirs, tempDir, writeAt } from "./helpers.ts";

afterEach(removeTempDirs);

const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * A payload whose first page holds a file large enough to be hashed on a thread (sparse: nothing to
 * write), then MANIFEST_PAGE + 10 small files: two pages.
 */
async function payloadWithLargeFirstFile() {
  const dir = await tempDir();
  await mkdir(path.join(dir, "data"));
  await writeAt(dir, "data/a-large.bin", "");
  await truncate(path.join(dir, "data", "a-large.bin"), 96 << 20);
  const small = Array.from(
    { length: MANIFEST_PAGE + 10 },
    (_, i) => `data/f${String(i).padStart(5, "0")}.txt`,
  );
  for (const p of small) await writeAt(dir, p, p);
  return { dir, small };
}

describe("writeBag in pages (issue 16)", () => {
  it("asks for known digests a page of paths at a time and writes the lines in byte order of path", async () => {
    const dir = await tempDir();
    await mkdir(path.join(dir, "data"));
    // A folder "a" beside "a-c.txt" and "a0.txt": a walk in name order would put a/… first, byte
    // order puts "a-c.txt" ("-" is 0x2d) before "a/…" ("/" is 0x2f) and "a0.txt" after it.
    const paths = ["data/a-c.txt", "data/a0.txt", "data/a/b.txt", "data/é.txt", "data/z.txt"];
    for (let i = 0; i < MANIFEST_PAGE + 40; i++) paths.push(`data/a/many/f${i}.txt`);
    for (const p of paths) await writeAt(dir, p, `content of ${p}`);
    const asked: string[][] = [];
    const knownDigests = async (page: string[]) => {
      asked.push(page);
      // One known (a wrong one would show): the rest are hashed.
      return new Map([["data/z.txt", { sha256: digestOf("sha256", "content of data/z.txt") }]]);
    };
    const written = await writeBag(dir, { knownDigests, baggingDate: new Date("2026-01-02T00:00:00Z") });
    expect(written.payloadFiles).toBe(paths.length);
    expect(written.hashedFiles).toBe(paths.length - 1);
    expect(asked.map((page) => page.length)).toEqual([MANIFEST_PAGE, paths.length - MANIFEST_PAGE]);
    const sorted = [...paths].sort(byBytes);
    expect(asked.flat()).toEqual(sorted);
    const lines = (await readFile(path.join(dir, "manifest-sha256.txt"), "utf8")).trimEnd().split("\n");
    expect(lines).toEqual(sorted.map((p) => `${digestOf("sha256", `content of ${p}`)}  ${p}`));
    expectValid(await validateBag(dir));
  });

  it("looks up the next page while one is still hashing; the manifest stays in byte order", async () => {
    const { dir, small } = await payloadWithLargeFirstFile();
    // Manifest lines written so far (the appender's temporary .manifest-sha256.txt.<pid>…) at each lookup.
    const linesAtLookup: number[] = [];
    const knownDigests = async () => {
      const temp = (await readdir(dir)).find((name) => name.startsWith(".manifest-sha256.txt"))!;
      linesAtLookup.push((await readFile(path.join(dir, temp), "utf8")).split("\n").length - 1);
      return new Map();
    };
    const written = await writeBag(dir, { knownDigests });
    // The second page was looked up before the first one's lines were written: it was still hashing.
    expect(linesAtLookup).toEqual([0, 0]);
    expect(written.payloadFiles).toBe(small.length + 1);
    const lines = (await readFile(path.join(dir, "manifest-sha256.txt"), "utf8")).trimEnd().split("\n");
    expect(lines.map((line) => line.split("  ")[1])).toEqual(["data/a-large.bin", ...small]);
    expectValid(await validateBag(dir));
  });

  it("names a later page's link while an earlier page is still hashing, and leaves no manifest", async () => {
    const { dir } = await payloadWithLargeFirstFile();
    await symlink("f00000.txt", path.join(dir, "data", "z-link.txt"));
    await expect(writeBag(dir)).rejects.toThrow(/data\/z-link\.txt: a symbolic link/);
    expect((await readdir(dir)).filter((name) => name.startsWith("manifest"))).toEqual([]);
  });
});
