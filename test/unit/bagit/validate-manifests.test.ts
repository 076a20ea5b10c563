/** RFC 8493 2.1.3 (payload manifests), 2.2.1 (tag manifests), 2.4 (algorithms), 5.1 (paths). */
import { appendFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { validateBag } from "../../../functions/bagit/index.ts";
import { craftBag, digestOf, expectOnly, expectValid, removeTempDirs, retag } from "./helpers.ts";

afterEach(removeTempDirs);

const ALL = ["md5", "sha1", "sha224", "sha256", "sha384", "sha512"];

async function setManifest(dir: string, name: string, text: string): Promise<void> {
  await writeFile(path.join(dir, name), text);
  await retag(dir);
}

describe("2.1.3 payload manifest", () => {
  it("rejects a bag without any payload manifest", async () => {
    const dir = await craftBag();
    await rm(path.join(dir, "manifest-sha256.txt"));
    await retag(dir);
    const result = await validateBag(dir);
    expect(result.problems.map((p) => p.rule)).toContain("payload-manifest-missing");
  });

  it("verifies md5, sha1, sha256 and sha512 manifests together", async () => {
    const result = await validateBag(await craftBag({ algorithms: ALL }));
    expectValid(result);
    expect(result.algorithms.sort()).toEqual(ALL);
  });

  it.each(ALL)("detects a wrong %s checksum and names the file", async (algorithm) => {
    const dir = await craftBag({ algorithms: ALL });
    const name = `manifest-${algorithm}.txt`;
    const text = await readFile(path.join(dir, name), "utf8");
    const wrong = digestOf(algorithm, "something else");
    await setManifest(dir, name, text.replace(/^[0-9a-f]+(?= {2}data\/a\.txt)/m, wrong));
    const [problem] = expectOnly(await validateBag(dir), "checksum-mismatch", "data/a.txt");
    expect(problem!.message).toContain(name);
  });

  it("accepts tabs as separators and upper-case hex digits", async () => {
    const dir = await craftBag({ payload: { "data/a.txt": "alpha" } });
    await setManifest(
      dir,
      "manifest-sha256.txt",
      `${digestOf("sha256", "alpha").toUpperCase()}\t\tdata/a.txt\n`,
    );
    expectValid(await validateBag(dir));
  });

  it("rejects malformed lines and digests of the wrong length", async () => {
    const dir = await craftBag({ payload: { "data/a.txt": "alpha" } });
    const good = `${digestOf("sha256", "alpha")}  data/a.txt\n`;
    await setManifest(dir, "manifest-sha256.txt", `${good}not-a-line\n${digestOf("md5", "x")}  data/a.txt\n`);
    const problems = expectOnly(await validateBag(dir), "manifest-line", /^manifest-sha256\.txt:\d$/);
    expect(problems.map((p) => p.file)).toEqual(["manifest-sha256.txt:2", "manifest-sha256.txt:3"]);
  });

  it("rejects a payload manifest that lists a tag file", async () => {
    const dir = await craftBag({ payload: { "data/a.txt": "alpha" } });
    const bagit = await readFile(path.join(dir, "bagit.txt"));
    await appendFile(path.join(dir, "manifest-sha256.txt"), `${digestOf("sha256", bagit)}  bagit.txt\n`);
    await retag(dir);
    expectOnly(await validateBag(dir), "manifest-path", "manifest-sha256.txt:2");
  });

  it("rejects a file listed twice", async () => {
    const dir = await craftBag({ payload: { "data/a.txt": "alpha" } });
    const line = `${digestOf("sha256", "alpha")}  data/a.txt\n`;
    await setManifest(dir, "manifest-sha256.txt", line + line);
    expectOnly(await validateBag(dir), "duplicate-entry", "manifest-sha256.txt:2");
  });

  it.each([["data/../../etc/passwd"], ["data/../bagit.txt"], ["/etc/passwd"], ["C:/Windows/win.ini"]])(
    "rejects the path %s, which escapes the bag",
    async (bad) => {
      const dir = await craftBag({ payload: { "data/a.txt": "alpha" } });
      await appendFile(path.join(dir, "manifest-sha256.txt"), `${digestOf("sha256", "x")}  ${bad}\n`);
      await retag(dir);
      expectOnly(await validateBag(dir), "path-escapes-bag", "manifest-sha256.txt:2");
    },
  );

  it("rejects a manifest entry that is a directory", async () => {
    const dir = await craftBag({ payload: { "data/a.txt": "alpha", "data/sub/b.txt": "beta" } });
    await appendFile(path.join(dir, "manifest-sha256.txt"), `${digestOf("sha256", "")}  data/sub\n`);
    await retag(dir);
    expectOnly(await validateBag(dir), "not-a-file", "data/sub");
  });

  it("warns about, but does not fail on, an extra manifest of an unsupported algorithm", async () => {
    const dir = await craftBag({ payload: { "data/a.txt": "alpha" } });
    await setManifest(dir, "manifest-blake3.txt", `${digestOf("sha256", "alpha")}  data/a.txt\n`);
    const result = await validateBag(dir);
    expectValid(result);
    expect(result.warnings.map((w) => w.rule)).toContain("unsupported-algorithm");
  });

  it("rejects a bag whose only payload manifest uses an unsupported algorithm", async () => {
    const dir = await craftBag({ payload: { "data/a.txt": "alpha" } });
    await rm(path.join(dir, "manifest-sha256.txt"));
    await setManifest(dir, "manifest-blake3.txt", `${digestOf("sha256", "alpha")}  data/a.txt\n`);
    expectOnly(await validateBag(dir), "unsupported-algorithm", "manifest-blake3.txt");
  });
});

describe("2.2.1 tag manifests", () => {
  it("verifies tag manifests of every algorithm", async () => {
    const dir = await craftBag({ algorithms: ALL });
    await retag(dir, ALL);
    expectValid(await validateBag(dir));
  });

  it("detects a changed tag file", async () => {
    const dir = await craftBag();
    await appendFile(path.join(dir, "bag-info.txt"), "Contact-Name: Someone\n");
    const [problem] = expectOnly(await validateBag(dir), "checksum-mismatch", "bag-info.txt");
    expect(problem!.message).toContain("tagmanifest-sha256.txt");
  });

  it("rejects a tag manifest that lists a missing tag file", async () => {
    const dir = await craftBag();
    await appendFile(
      path.join(dir, "tagmanifest-sha256.txt"),
      `${digestOf("sha256", "")}  missing-tag.txt\n`,
    );
    expectOnly(await validateBag(dir), "file-missing", "missing-tag.txt");
  });

  it("rejects a tag manifest that lists a payload file", async () => {
    const dir = await craftBag({ payload: { "data/a.txt": "alpha" } });
    await appendFile(
      path.join(dir, "tagmanifest-sha256.txt"),
      `${digestOf("sha256", "alpha")}  data/a.txt\n`,
    );
    expectOnly(await validateBag(dir), "tag-manifest-payload", /^tagmanifest-sha256\.txt:\d+$/);
  });

  it("rejects a tag manifest that lists a tag manifest", async () => {
    const dir = await craftBag({ algorithms: ["sha256", "md5"] });
    await retag(dir, ["md5"]);
    const other = await readFile(path.join(dir, "tagmanifest-md5.txt"));
    await retag(dir, ["sha256"]);
    await appendFile(
      path.join(dir, "tagmanifest-sha256.txt"),
      `${digestOf("sha256", other)}  tagmanifest-md5.txt\n`,
    );
    expectOnly(await validateBag(dir), "tag-manifest-lists-tag-manifest", /^tagmanifest-sha256\.txt:\d+$/);
  });

  it("only warns about a tag file that no tag manifest lists (SHOULD, not MUST)", async () => {
    const dir = await craftBag();
    await writeFile(path.join(dir, "extra-tag.txt"), "notes\n");
    const result = await validateBag(dir);
    expectValid(result);
    expect(result.warnings).toContainEqual(
      expect.objectContaining({ file: "extra-tag.txt", rule: "tag-file-not-in-manifest" }),
    );
  });

  it("verifies tag files in tag directories and reports a missing one", async () => {
    const dir = await craftBag();
    await writeFile(path.join(dir, "bag-info.txt"), "Bagging-Date: 2026-01-02\n");
    await retag(dir);
    await mkdir(path.join(dir, "meta"));
    await writeFile(path.join(dir, "meta", "notes.txt"), "notes");
    await appendFile(
      path.join(dir, "tagmanifest-sha256.txt"),
      `${digestOf("sha256", "notes")}  meta/notes.txt\n`,
    );
    expectValid(await validateBag(dir));
    await writeFile(path.join(dir, "meta", "notes.txt"), "changed");
    expectOnly(await validateBag(dir), "checksum-mismatch", "meta/notes.txt");
    await rm(path.join(dir, "meta", "notes.txt"));
    expectOnly(await validateBag(dir), "file-missing", "meta/notes.txt");
  });
});
