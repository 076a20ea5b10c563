/** File names: percent-encoding (RFC 8493 2.1.3), Unicode normalization and case (5.3), links (5.2). */
import { rm, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { validateBag } from "../../../functions/bagit/index.ts";
import { craftBag, digestOf, expectOnly, expectValid, removeTempDirs, retag } from "./helpers.ts";

afterEach(removeTempDirs);

const tricky = {
  "data/with space.txt": "space",
  "data/100% sure.txt": "percent",
  "data/literal %0A and %25.txt": "escapes",
  "data/line\nbreak.txt": "newline",
  "data/carriage\rreturn.txt": "cr",
  "data/日本語/文書.txt": "cjk",
  "data/emoji 😀🎉.txt": "emoji",
};

describe("file names", () => {
  it("accepts spaces, percent signs, CR/LF (percent-encoded), CJK and emoji", async () => {
    const result = await validateBag(await craftBag({ payload: tricky }));
    expectValid(result);
    expect(result.payloadFiles).toBe(Object.keys(tricky).length);
  });

  it("BagIt 1.0 rejects a percent sign that is not percent-encoded", async () => {
    const dir = await craftBag({ payload: { "data/100% sure.txt": "percent" } });
    await writeFile(
      path.join(dir, "manifest-sha256.txt"),
      `${digestOf("sha256", "percent")}  data/100% sure.txt\n`,
    );
    await retag(dir);
    expectOnly(await validateBag(dir), "manifest-path", "manifest-sha256.txt:1");
  });

  it("BagIt 0.97 only warns about a percent sign that is not percent-encoded", async () => {
    const dir = await craftBag({ version: "0.97", payload: { "data/100% sure.txt": "percent" } });
    await writeFile(
      path.join(dir, "manifest-sha256.txt"),
      `${digestOf("sha256", "percent")}  data/100% sure.txt\n`,
    );
    await retag(dir);
    const result = await validateBag(dir);
    expectValid(result);
    expect(result.warnings.map((w) => w.rule)).toContain("manifest-path");
  });

  it("rejects a manifest path that matches a file only after Unicode normalization", async () => {
    const decomposed = "data/cafe\u0301.txt";
    const composed = "data/caf\u00e9.txt";
    const dir = await craftBag({ payload: { [decomposed]: "coffee" }, bagInfo: null });
    await writeFile(path.join(dir, "manifest-sha256.txt"), `${digestOf("sha256", "coffee")}  ${composed}\n`);
    await retag(dir);
    const [problem] = expectOnly(await validateBag(dir), "unicode-normalization", composed);
    expect(problem!.message).toContain(decomposed);
  });

  it("rejects a manifest path that matches a file only when letter case is ignored", async () => {
    const dir = await craftBag({ payload: { "data/Report.PDF": "pdf" }, bagInfo: null });
    await writeFile(path.join(dir, "manifest-sha256.txt"), `${digestOf("sha256", "pdf")}  data/report.pdf\n`);
    await retag(dir);
    expectOnly(await validateBag(dir), "case-mismatch", "data/report.pdf");
  });

  it("warns about payload names that collide on case-insensitive file systems", async () => {
    const result = await validateBag(await craftBag({ payload: { "data/a.txt": "1", "data/A.txt": "2" } }));
    expectValid(result);
    expect(result.warnings.map((w) => w.rule)).toContain("name-collision");
  });

  it("warns about a symbolic link in the payload and checks its target", async () => {
    const dir = await craftBag({
      payload: { "data/a.txt": "alpha", "data/link.txt": "alpha" },
      bagInfo: null,
    });
    await rm(path.join(dir, "data", "link.txt"));
    await symlink("a.txt", path.join(dir, "data", "link.txt"));
    const result = await validateBag(dir);
    expectValid(result);
    expect(result.warnings).toContainEqual(
      expect.objectContaining({ file: "data/link.txt", rule: "symbolic-link" }),
    );
  });

  it.each(["0.97", "1.0"])(
    "BagIt %s: accepts md5sum's binary-mode marker and ./-prefixed paths, as bagit-python does",
    async (version) => {
      const payload = { "data/a.txt": "alpha", "data/b.txt": "beta" };
      const dir = await craftBag({ version, payload, algorithms: ["md5"] });
      const lines = `${digestOf("md5", "alpha")} *data/a.txt\n${digestOf("md5", "beta")}  ./data/b.txt\n`;
      await writeFile(path.join(dir, "manifest-md5.txt"), lines);
      await retag(dir);
      expectValid(await validateBag(dir));
      // Still checked: a wrong digest behind a marker is refused.
      await writeFile(
        path.join(dir, "manifest-md5.txt"),
        lines.replace(digestOf("md5", "alpha"), digestOf("md5", "x")),
      );
      await retag(dir);
      expectOnly(await validateBag(dir), "checksum-mismatch", "data/a.txt");
    },
  );
});
