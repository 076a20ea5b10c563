/** RFC 8493 section 3 (complete and valid bags), 2.2.2 (bag-info.txt), 2.2.3 (fetch.txt). */
import { appendFile, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { validateBag } from "../../../functions/bagit/index.ts";
import { craftBag, digestOf, expectOnly, expectValid, removeTempDirs, retag, writeAt } from "./helpers.ts";

afterEach(removeTempDirs);

describe("3 complete bag", () => {
  it("rejects a payload file that no manifest lists", async () => {
    const dir = await craftBag({ bagInfo: null });
    await writeAt(dir, "data/stowaway.txt", "extra");
    const [problem] = expectOnly(await validateBag(dir), "payload-not-in-manifest", "data/stowaway.txt");
    expect(problem!.message).toContain("manifest-sha256.txt");
  });

  it("rejects a listed file that is not present", async () => {
    const dir = await craftBag({ bagInfo: null });
    await rm(path.join(dir, "data", "a.txt"));
    expectOnly(await validateBag(dir), "file-missing", "data/a.txt");
  });

  it("BagIt 1.0: rejects a payload file missing from one of several manifests", async () => {
    const dir = await craftBag({
      payload: { "data/a.txt": "a", "data/b.txt": "b" },
      algorithms: ["md5", "sha256"],
    });
    await writeFile(path.join(dir, "manifest-md5.txt"), `${digestOf("md5", "a")}  data/a.txt\n`);
    await retag(dir, ["md5", "sha256"]);
    const [problem] = expectOnly(await validateBag(dir), "payload-not-in-manifest", "data/b.txt");
    expect(problem!.message).toContain("manifest-md5.txt");
  });

  it("BagIt 0.97: a payload file listed in at least one manifest is enough (warning only)", async () => {
    const payload = { "data/a.txt": "a", "data/b.txt": "b" };
    const dir = await craftBag({ version: "0.97", payload, algorithms: ["md5", "sha256"], bagInfo: null });
    await writeFile(path.join(dir, "manifest-md5.txt"), `${digestOf("md5", "a")}  data/a.txt\n`);
    await retag(dir, ["md5", "sha256"]);
    const result = await validateBag(dir);
    expectValid(result);
    expect(result.warnings).toContainEqual(
      expect.objectContaining({ file: "data/b.txt", rule: "payload-not-in-manifest" }),
    );
    await writeAt(dir, "data/c.txt", "c");
    expectOnly(await validateBag(dir), "payload-not-in-manifest", "data/c.txt");
  });
});

describe("3 valid bag", () => {
  it("rejects a payload file whose bytes changed", async () => {
    const dir = await craftBag({ bagInfo: null });
    await writeAt(dir, "data/a.txt", "ALPHA\n");
    expectOnly(await validateBag(dir), "checksum-mismatch", "data/a.txt");
  });
});

describe("2.2.2 bag-info.txt", () => {
  async function withBagInfo(text: string, version = "1.0"): Promise<string> {
    return craftBag({ payload: { "data/a.txt": "alpha" }, bagInfo: text, version });
  }

  it("accepts continuation lines, repeated labels and an omitted bag-info.txt", async () => {
    const info =
      "Source-Organization: Example Archive\nContact-Name: A\nContact-Name: B\nInternal-Sender-Description: one\n  two\n\tthree\nPayload-Oxum: 5.1\n";
    expectValid(await validateBag(await withBagInfo(info)));
    expectValid(await validateBag(await craftBag({ bagInfo: null })));
  });

  it.each([
    ["a line without a colon", "Source-Organization Example\n", "bag-info.txt:1"],
    ["a continuation before any label", "  orphan\nSource-Organization: Example\n", "bag-info.txt:1"],
  ])("BagIt 1.0 rejects %s (bagit-python cannot read it either)", async (_case, text, file) => {
    expectOnly(await validateBag(await withBagInfo(text)), "bag-info-syntax", file);
  });

  it.each([
    ["no space after the colon", "Source-Organization:Example\n", "bag-info.txt:1"],
    ["a label with outer spaces", "Source-Organization : Example\n", "bag-info.txt:1"],
    ["a blank line", "Source-Organization: Example\n\nContact-Name: A\n", "bag-info.txt:2"],
    ["a blank continuation line", "Source-Organization: Example\n  \n  Archive\n", "bag-info.txt:2"],
  ])("BagIt 1.0 accepts %s with a warning, as bagit-python does", async (_case, text, file) => {
    const result = await validateBag(await withBagInfo(text));
    expectValid(result);
    expect(result.warnings).toContainEqual(expect.objectContaining({ file, rule: "bag-info-syntax" }));
  });

  it("BagIt 0.97 accepts whitespace around the colon", async () => {
    expectValid(
      await validateBag(await withBagInfo("Source-Organization :   Example\nPayload-Oxum:5.1\n", "0.97")),
    );
  });

  it("checks Payload-Oxum against the payload", async () => {
    const [problem] = expectOnly(
      await validateBag(await withBagInfo("Payload-Oxum: 6.1\n")),
      "payload-oxum",
      "bag-info.txt",
    );
    expect(problem!.message).toContain("5.1");
    expectOnly(await validateBag(await withBagInfo("Payload-Oxum: 5\n")), "payload-oxum", "bag-info.txt");
    expectOnly(await validateBag(await withBagInfo("Payload-Oxum: 5.2\n")), "payload-oxum", "bag-info.txt");
  });

  it("warns when a reserved single-valued element is repeated", async () => {
    const result = await validateBag(
      await withBagInfo("Bagging-Date: 2026-01-01\nBagging-Date: 2026-01-02\n"),
    );
    expectValid(result);
    expect(result.warnings.map((w) => w.rule)).toContain("bag-info-repeated");
  });
});

describe("2.2.3 fetch.txt", () => {
  it("rejects fetch.txt entries whose files are not present (stepmatica does not fetch)", async () => {
    const dir = await craftBag({
      payload: { "data/a.txt": "alpha", "data/remote.bin": "remote" },
      bagInfo: null,
    });
    await rm(path.join(dir, "data", "remote.bin"));
    await writeFile(path.join(dir, "fetch.txt"), "https://example.org/remote.bin 6 data/remote.bin\n");
    await retag(dir);
    const [problem] = expectOnly(await validateBag(dir), "fetch-unfetched", "data/remote.bin");
    expect(problem!.message).toContain("fetch.txt lists files not present");
  });

  it("accepts a fetch.txt whose files have all been fetched", async () => {
    const dir = await craftBag({ payload: { "data/a.txt": "alpha" }, bagInfo: null });
    await writeFile(path.join(dir, "fetch.txt"), "https://example.org/a.txt - data/a.txt\n");
    await retag(dir);
    expectValid(await validateBag(dir));
  });

  it("rejects malformed lines, tag files and files missing from the manifests", async () => {
    const dir = await craftBag({ payload: { "data/a.txt": "alpha" }, bagInfo: null });
    await writeFile(
      path.join(dir, "fetch.txt"),
      "https://example.org/x\nhttps://example.org/b 1 bagit.txt\n",
    );
    await retag(dir);
    const problems = expectOnly(await validateBag(dir), "fetch-syntax", /^fetch\.txt:\d$/);
    expect(problems.map((p) => p.file)).toEqual(["fetch.txt:1", "fetch.txt:2"]);
    await writeFile(
      path.join(dir, "fetch.txt"),
      "https://example.org/a 5 data/a.txt\nhttps://example.org/b 1 data/b.txt\n",
    );
    await retag(dir);
    const result = await validateBag(dir);
    expect(result.problems).toContainEqual(
      expect.objectContaining({ file: "data/b.txt", rule: "fetch-unfetched" }),
    );
    expect(result.problems).toContainEqual(
      expect.objectContaining({ file: "data/b.txt", rule: "payload-not-in-manifest" }),
    );
    expect(result.problems).toHaveLength(2);
    expect(await readFile(path.join(dir, "fetch.txt"), "utf8")).toContain("data/b.txt");
  });

  it("rejects a fetch.txt path that escapes the bag", async () => {
    const dir = await craftBag({ payload: { "data/a.txt": "alpha" }, bagInfo: null });
    await appendFile(path.join(dir, "fetch.txt"), "https://example.org/x 1 data/../../x\n");
    await retag(dir);
    expectOnly(await validateBag(dir), "path-escapes-bag", "fetch.txt:1");
  });
});
