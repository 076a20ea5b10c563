import fs from "node:fs/promises";
import path from "node:path";
import zlib from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  ArchiveError,
  createArchive,
  detectArchive,
  type ExtractResult,
  extractArchive,
} from "../../../functions/archives/index.ts";
import { makeTempDir, put, rawTar, rawZip, sevenZip, snapshot } from "./fixtures.ts";

let root: string;

beforeEach(async () => {
  root = await makeTempDir("extract");
});

afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const tree: Record<string, string> = {
  "read me.txt": "spaces in the name\n",
  "資料/報告 2024.txt": "CJK folder and file\n",
  "emoji 😀/party 🎉.txt": "emoji names\n",
  "deep/a/b/c/d.txt": "deep\n",
};

async function writeTree(dir: string): Promise<void> {
  for (const [name, content] of Object.entries(tree)) await put(path.join(dir, name), content);
  await fs.mkdir(path.join(dir, "empty folder"), { recursive: true });
}

async function readTree(dir: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for (const entry of await snapshot(dir)) {
    const stat = await fs.lstat(path.join(dir, entry));
    if (stat.isFile()) result[entry] = await fs.readFile(path.join(dir, entry), "utf8");
  }
  return result;
}

describe("extractArchive round trips", () => {
  it.each([["zip"], ["tar.gz"], ["7z"]] as const)(
    "%s made by createArchive extracts to the same tree",
    async (kind) => {
      await writeTree(path.join(root, "src"));
      const archive = path.join(root, "in", `package.${kind}`);
      await createArchive(path.join(root, "src"), archive, kind, { mtime: new Date("2021-02-03T04:05:06Z") });
      const dest = path.join(root, "work", "package");
      const result = await extractArchive(archive, dest);
      expect(result.kind).toBe(kind);
      expect(await readTree(dest)).toEqual(tree);
      expect((await fs.stat(path.join(dest, "empty folder"))).isDirectory()).toBe(true);
      expect(result.entries.map((entry) => entry.path)).toEqual(Object.keys(tree).sort());
      expect(result.totalBytes).toBe(
        Object.values(tree).reduce((sum, text) => sum + Buffer.byteLength(text), 0),
      );
      if (kind !== "7z") expect(result.entries[0]!.mtime?.toISOString()).toBe("2021-02-03T04:05:06.000Z");
      expect(await fs.readdir(path.join(root, "work"))).toEqual(["package"]);
    },
  );

  it.each([
    ["bzip2", "tar.bz2"],
    ["xz", "tar.xz"],
  ])("tar.%s made by 7za extracts (streamed through 7za -so)", async (type, kind) => {
    await writeTree(path.join(root, "src"));
    await sevenZip(["a", "-ttar", "-bd", path.join(root, "mid", "p.tar"), "."], path.join(root, "src"));
    await sevenZip([
      "a",
      `-t${type}`,
      "-bd",
      path.join(root, "in", `p.${kind}`),
      path.join(root, "mid", "p.tar"),
    ]);
    const result = await extractArchive(path.join(root, "in", `p.${kind}`), path.join(root, "work", "p"));
    expect(result.kind).toBe(kind);
    expect(await readTree(path.join(root, "work", "p"))).toEqual(tree);
  });

  it("a single gz file becomes one file named without .gz", async () => {
    const archive = await put(path.join(root, "in", "notes.txt.gz"), zlib.gzipSync(Buffer.from("notes\n")));
    const result = await extractArchive(archive, path.join(root, "work", "notes"));
    expect(result).toMatchObject({ kind: "gz", entries: [{ path: "notes.txt", size: 6 }], totalBytes: 6 });
  });

  it("a zip using bzip2 compression (yauzl cannot) is extracted through 7za", async () => {
    await writeTree(path.join(root, "src"));
    const archive = path.join(root, "in", "bzip2.zip");
    await sevenZip(["a", "-tzip", "-mm=BZip2", "-bd", archive, "."], path.join(root, "src"));
    const result = await extractArchive(archive, path.join(root, "work", "bzip2"));
    expect(result.kind).toBe("zip");
    expect(await readTree(path.join(root, "work", "bzip2"))).toEqual(tree);
  });

  it("nested packages: a zip holding a tar.gz holding a zip, one level per call", async () => {
    const inner = rawZip([{ name: "innermost.txt", data: Buffer.from("found me\n") }]);
    const middle = zlib.gzipSync(rawTar([{ name: "inner.zip", data: inner }]));
    const outer = await put(
      path.join(root, "in", "outer.zip"),
      rawZip([{ name: "middle.tar.gz", data: middle }]),
    );
    const levels: string[] = [];
    let pending = [{ archive: outer, dest: path.join(root, "work", "outer") }];
    while (pending.length > 0) {
      const next: typeof pending = [];
      for (const { archive, dest } of pending) {
        const result = await extractArchive(archive, dest);
        levels.push(result.kind);
        for (const entry of result.entries) {
          const file = path.join(dest, entry.path);
          if ((await detectArchive(file)) !== null) {
            next.push({ archive: file, dest: path.join(dest, entry.path.replace(/\.(zip|tar\.gz)$/, "")) });
          }
        }
      }
      pending = next;
    }
    expect(levels).toEqual(["zip", "tar.gz", "zip"]);
    const innermost = path.join(root, "work", "outer", "middle", "inner", "innermost.txt");
    expect(await fs.readFile(innermost, "utf8")).toBe("found me\n");
  });
});

describe("idempotence and leftovers", () => {
  it("extracting twice into the same destDir gives the same result and replaces stale content", async () => {
    const archive = await put(
      path.join(root, "in", "p.tar"),
      rawTar([{ name: "a.txt", data: Buffer.from("a\n") }]),
    );
    const dest = path.join(root, "work", "p");
    const first = await extractArchive(archive, dest);
    await put(path.join(dest, "stale.txt"), "left by someone\n");
    const second = await extractArchive(archive, dest);
    expect(second).toEqual(first);
    expect(await snapshot(path.join(root, "work"))).toEqual(["p", "p/a.txt"]);
  });

  it("removes the staging folder of a crashed earlier run", async () => {
    const archive = await put(
      path.join(root, "in", "p.tar"),
      rawTar([{ name: "a.txt", data: Buffer.from("a\n") }]),
    );
    await put(path.join(root, "work", ".p.extracting-abc123", "half.txt"), "half\n");
    await extractArchive(archive, path.join(root, "work", "p"));
    expect(await snapshot(path.join(root, "work"))).toEqual(["p", "p/a.txt"]);
  });
});

describe("names that collide", () => {
  const colliding = () =>
    rawTar([
      { name: "Readme.txt", data: Buffer.from("first\n") },
      { name: "README.txt", data: Buffer.from("second\n") },
      { name: "same.txt", data: Buffer.from("old\n") },
      { name: "same.txt", data: Buffer.from("new\n") },
      { name: "Docs/a.txt", data: Buffer.from("a\n") },
      { name: "docs/b.txt", data: Buffer.from("b\n") },
      { name: "cafe\u0301.txt", data: Buffer.from("decomposed\n") },
      { name: "caf\u00e9.txt", data: Buffer.from("composed\n") },
    ]);

  it("keeps the last of exact duplicates and renames case or Unicode-form collisions as name~2", async () => {
    const archive = await put(path.join(root, "in", "c.tar"), colliding());
    const result = await extractArchive(archive, path.join(root, "work", "c"));
    expect(await readTree(path.join(root, "work", "c"))).toEqual({
      "Docs/a.txt": "a\n",
      "README~2.txt": "second\n",
      "Readme.txt": "first\n",
      "cafe\u0301.txt": "decomposed\n",
      "caf\u00e9~2.txt": "composed\n",
      "docs~2/b.txt": "b\n",
      "same.txt": "new\n",
    });
    expect(result.renamed).toEqual([
      { from: "README.txt", to: "README~2.txt" },
      { from: "docs", to: "docs~2" },
      { from: "caf\u00e9.txt", to: "caf\u00e9~2.txt" },
    ]);
    expect(result.entries.map((entry) => entry.path)).toEqual(
      Object.keys(await readTree(path.join(root, "work", "c"))),
    );
  });

  it("the 7z path (7za writes, then renames are applied) renames case collisions the same way", async () => {
    const src = path.join(root, "src");
    for (const name of ["Readme.txt", "README.txt", "Docs/a.txt", "docs/b.txt"])
      await put(path.join(src, name), name);
    await sevenZip(["a", "-t7z", "-bd", path.join(root, "in", "c.7z"), "."], src);
    const first = await extractArchive(path.join(root, "in", "c.7z"), path.join(root, "work", "c7"));
    const files = await readTree(path.join(root, "work", "c7"));
    expect(Object.values(files).sort()).toEqual(["Docs/a.txt", "README.txt", "Readme.txt", "docs/b.txt"]);
    expect(Object.keys(files).filter((name) => name.includes("~2"))).toHaveLength(2);
    expect(first.renamed).toHaveLength(2);
    expect(first.entries.map((entry) => entry.path)).toEqual(Object.keys(files));
    expect(await extractArchive(path.join(root, "in", "c.7z"), path.join(root, "work", "c7"))).toEqual(first);
  });
});

describe("links that stay inside, refusals and cancellation", () => {
  it("keeps a relative symbolic link whose target is inside", async () => {
    const archive = await put(
      path.join(root, "in", "l.tar"),
      rawTar([
        { name: "v1/data.txt", data: Buffer.from("data\n") },
        { name: "latest", type: "2", linkname: "v1/data.txt" },
      ]),
    );
    const result: ExtractResult = await extractArchive(archive, path.join(root, "work", "l"));
    expect(result.symlinks).toEqual([{ path: "latest", target: "v1/data.txt" }]);
    expect(await fs.readFile(path.join(root, "work", "l", "latest"), "utf8")).toBe("data\n");
  });

  it("a .zip that is text is not an archive: unsupported, nothing created", async () => {
    const fake = await put(path.join(root, "in", "fake.zip"), "hello, I am text\n");
    const error = await extractArchive(fake, path.join(root, "work", "fake")).catch(
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ArchiveError);
    expect((error as ArchiveError).code).toBe("unsupported");
    expect(await snapshot(root)).toEqual(["in", "in/fake.zip"]);
  });

  it("refuses a destDir that holds the archive (the swap would delete it)", async () => {
    const archive = await put(
      path.join(root, "pkg", "p.tar"),
      rawTar([{ name: "a.txt", data: Buffer.from("a") }]),
    );
    const error = await extractArchive(archive, path.join(root, "pkg")).catch((thrown: unknown) => thrown);
    expect((error as ArchiveError).code).toBe("unsupported");
    expect(await snapshot(root)).toEqual(["pkg", "pkg/p.tar"]);
  });

  it("stops when the signal aborts and leaves nothing behind", async () => {
    const archive = await put(
      path.join(root, "in", "p.tar"),
      rawTar([{ name: "a.bin", data: Buffer.alloc(4 << 20) }]),
    );
    const controller = new AbortController();
    const running = extractArchive(archive, path.join(root, "work", "p"), { signal: controller.signal });
    controller.abort(new Error("cancelled by test"));
    await expect(running).rejects.toThrow("cancelled by test");
    expect(await snapshot(root)).toEqual(["in", "in/p.tar", "work"]);
  });
});
