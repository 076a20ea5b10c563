/** writeBag on a payload larger than a page: manifests written a page at a time, in manifest order. */
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MANIFEST_PAGE, validateBag, writeBag } from "../../../functions/bagit/index.ts";
import { digestOf, expectValid, removeTempDirs, tempDir, writeAt } from "./helpers.ts";

afterEach(removeTempDirs);

const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

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
});
