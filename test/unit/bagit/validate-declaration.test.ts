/** RFC 8493 2.1.1 (bag declaration) and 2.1.2 (payload directory), valid and invalid variants. */
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { validateBag } from "../../../functions/bagit/index.ts";
import { craftBag, expectOnly, expectValid, removeTempDirs, retag } from "./helpers.ts";

afterEach(removeTempDirs);

async function withDeclaration(content: string | Buffer): Promise<string> {
  const dir = await craftBag();
  await writeFile(path.join(dir, "bagit.txt"), content);
  await retag(dir);
  return dir;
}

describe("2.1.1 bag declaration", () => {
  it("accepts a well-formed BagIt 1.0 declaration", async () => {
    const result = await validateBag(await craftBag());
    expectValid(result);
    expect(result.version).toBe("1.0");
  });

  it("accepts CRLF line endings", async () => {
    const dir = await withDeclaration("BagIt-Version: 1.0\r\nTag-File-Character-Encoding: UTF-8\r\n");
    expectValid(await validateBag(dir));
  });

  it("rejects a bag without bagit.txt", async () => {
    const dir = await craftBag();
    await rm(path.join(dir, "bagit.txt"));
    await retag(dir);
    const result = await validateBag(dir);
    expectOnly(result, "bag-declaration", "bagit.txt");
    expect(result.version).toBeNull();
  });

  it("rejects a first line that is not 'BagIt-Version: M.N'", async () => {
    const dir = await withDeclaration("BagIt-Version 1.0\nTag-File-Character-Encoding: UTF-8\n");
    const [problem] = expectOnly(await validateBag(dir), "bag-declaration", "bagit.txt");
    expect(problem!.message).toMatch(/first line/);
  });

  it("rejects a missing or malformed Tag-File-Character-Encoding line", async () => {
    expectOnly(
      await validateBag(await withDeclaration("BagIt-Version: 1.0\n")),
      "bag-declaration",
      "bagit.txt",
    );
    const swapped = "Tag-File-Character-Encoding: UTF-8\nBagIt-Version: 1.0\n";
    expectOnly(await validateBag(await withDeclaration(swapped)), "bag-declaration", "bagit.txt");
  });

  it("rejects a declaration with more than two lines", async () => {
    const dir = await withDeclaration("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\nExtra: yes\n");
    const [problem] = expectOnly(await validateBag(dir), "bag-declaration", "bagit.txt");
    expect(problem!.message).toMatch(/exactly two/);
  });

  it("rejects a byte-order mark", async () => {
    const text = Buffer.from("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n");
    const dir = await withDeclaration(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), text]));
    const [problem] = expectOnly(await validateBag(dir), "bag-declaration", "bagit.txt");
    expect(problem!.message).toMatch(/BOM/);
  });

  it.each(["0.93", "0.94", "0.95", "0.96", "0.97"])("accepts draft version %s", async (version) => {
    const old = await validateBag(await craftBag({ version }));
    expectValid(old);
    expect(old.version).toBe(version);
  });

  it("rejects versions bagit-python does not open", async () => {
    for (const version of ["0.92", "2.0"]) {
      const result = await validateBag(await craftBag({ version }));
      expectOnly(result, "unsupported-version", "bagit.txt");
      expect(result.version).toBe(version);
    }
  });

  it("reads tag files in the declared encoding and rejects an unknown one", async () => {
    const dir = await craftBag({ payload: { "data/a.txt": "alpha" }, bagInfo: null });
    await writeFile(path.join(dir, "bag-info.txt"), Buffer.from("Contact-Name: Ren\xe9e\n", "latin1"));
    await writeFile(
      path.join(dir, "bagit.txt"),
      "BagIt-Version: 1.0\nTag-File-Character-Encoding: ISO-8859-1\n",
    );
    await retag(dir);
    expectValid(await validateBag(dir));
    await writeFile(
      path.join(dir, "bagit.txt"),
      "BagIt-Version: 1.0\nTag-File-Character-Encoding: X-NO-SUCH\n",
    );
    await retag(dir);
    const problems = expectOnly(await validateBag(dir), "tag-encoding", "manifest-sha256.txt");
    expect(problems[0]!.message).toMatch(/X-NO-SUCH.*not supported/);
  });

  it("rejects tag files that are not valid in the declared encoding", async () => {
    const dir = await craftBag();
    await writeFile(path.join(dir, "bag-info.txt"), Buffer.from([0x41, 0x3a, 0x20, 0xc3, 0x28, 0x0a]));
    await retag(dir);
    expectOnly(await validateBag(dir), "tag-encoding", "bag-info.txt");
  });
});

describe("2.1.2 payload directory", () => {
  it("accepts an empty data/ directory with an empty manifest", async () => {
    const result = await validateBag(await craftBag({ payload: {} }));
    expectValid(result);
    expect(result.payloadFiles).toBe(0);
  });

  it("rejects a bag without data/", async () => {
    const dir = await craftBag({ payload: {} });
    await rm(path.join(dir, "data"), { recursive: true });
    expectOnly(await validateBag(dir), "payload-directory", "data/");
  });

  it("reports a path that is not a directory as not a bag", async () => {
    const dir = await craftBag();
    const result = await validateBag(path.join(dir, "bagit.txt"));
    expect(result.valid).toBe(false);
    expect(result.problems[0]!.message).toMatch(/not a directory/);
  });
});
