/**
 * Bags as a decade of BagIt tools wrote them (drafts 0.93–0.97, package-info.txt, blank lines,
 * sha224/sha384, UTF-16 tag files with a BOM) validate, as bagit-python and Archivematica accept
 * them; what makes a bag invalid is still refused, naming the file and the rule.
 */
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { validateBag } from "../../../functions/bagit/index.ts";
import {
  craftBag,
  digestOf,
  expectOnly,
  expectValid,
  manifestText,
  removeTempDirs,
  retag,
} from "./helpers.ts";

afterEach(removeTempDirs);

const PAYLOAD = { "data/letters/minutes.txt": "Minutes of the meeting\n", "data/photo.bin": "binary-ish" };
const OXUM = `${Object.values(PAYLOAD).reduce((n, c) => n + Buffer.byteLength(c), 0)}.2`;

function utf16(text: string, order: "le" | "be"): Buffer {
  const le = Buffer.from(`\uFEFF${text}`, "utf16le");
  return order === "le" ? le : Buffer.from(le).swap16();
}

describe("bags made by old tools", () => {
  it("0.93 bag with package-info.txt holding blank lines, sha224 and sha384 manifests", async () => {
    const dir = await craftBag({
      version: "0.93",
      payload: PAYLOAD,
      algorithms: ["sha224", "sha384"],
      bagInfo: null,
    });
    await writeFile(
      path.join(dir, "package-info.txt"),
      `Source-Organization: Example Archive\n\nContact-Name: A. Depositor\n  \nPayload-Oxum: ${OXUM}\n`,
    );
    await retag(dir, ["sha384"]);
    const result = await validateBag(dir);
    expectValid(result);
    expect(result.algorithms).toEqual(["sha224", "sha384"]);
    expect(result.warnings.filter((w) => w.rule === "bag-info-syntax").map((w) => w.file)).toEqual([
      "package-info.txt:2",
      "package-info.txt:4",
    ]);
    // package-info.txt is read: a wrong Payload-Oxum there is refused.
    await writeFile(path.join(dir, "package-info.txt"), "Payload-Oxum: 1.1\n");
    await retag(dir, ["sha384"]);
    const [problem] = expectOnly(await validateBag(dir), "payload-oxum", "package-info.txt");
    expect(problem!.message).toContain(OXUM);
  });

  it("0.96 bag with a loose bagit.txt (order swapped, spaces around the colon)", async () => {
    const dir = await craftBag({ version: "0.96", payload: PAYLOAD });
    await writeFile(
      path.join(dir, "bagit.txt"),
      "Tag-File-Character-Encoding : UTF-8\nBagIt-Version :  0.96\n",
    );
    await retag(dir);
    const result = await validateBag(dir);
    expectValid(result);
    expect(result.version).toBe("0.96");
  });

  it.each(["le", "be"] as const)("tag files in UTF-16 (%s) with a byte-order mark", async (order) => {
    const dir = await craftBag({ version: "0.97", payload: PAYLOAD, bagInfo: null, tagManifest: false });
    await writeFile(
      path.join(dir, "bagit.txt"),
      "BagIt-Version: 0.97\nTag-File-Character-Encoding: UTF-16\n",
    );
    await writeFile(path.join(dir, "manifest-sha256.txt"), utf16(manifestText("sha256", PAYLOAD), order));
    await writeFile(
      path.join(dir, "bag-info.txt"),
      utf16(`Contact-Name: Renée\r\n\r\nPayload-Oxum: ${OXUM}\r\n`, order),
    );
    const result = await validateBag(dir);
    expectValid(result);
    expect(result.warnings.filter((w) => w.rule === "tag-encoding")).toEqual([]);
    // The manifest is really read: an altered file behind a UTF-16 manifest is refused.
    await writeFile(path.join(dir, "data", "photo.bin"), "binary-isH");
    expectOnly(await validateBag(dir), "checksum-mismatch", "data/photo.bin");
  });

  it("1.0 bag-info.txt with blank lines between and inside entries: warnings only", async () => {
    const info = `Source-Organization: Example\n\nExternal-Description: first line\n\n  second line\nPayload-Oxum: ${OXUM}\n`;
    const result = await validateBag(await craftBag({ payload: PAYLOAD, bagInfo: info }));
    expectValid(result);
    expect(result.warnings.map((w) => w.rule)).toContain("bag-info-syntax");
  });
});

describe("truly invalid bags are still refused, naming the file and the rule", () => {
  it("a missing payload file", async () => {
    const dir = await craftBag({ version: "0.95", payload: PAYLOAD });
    await rm(path.join(dir, "data", "photo.bin"));
    const problems = (await validateBag(dir)).problems;
    expect(problems).toContainEqual(
      expect.objectContaining({ file: "data/photo.bin", rule: "file-missing" }),
    );
    expect(problems).toContainEqual(expect.objectContaining({ rule: "payload-oxum" }));
  });

  it("an altered payload file", async () => {
    const dir = await craftBag({ version: "0.96", payload: PAYLOAD, algorithms: ["sha224"] });
    await writeFile(path.join(dir, "data", "letters", "minutes.txt"), "Minutes of the meetinG\n");
    const [problem] = expectOnly(await validateBag(dir), "checksum-mismatch", "data/letters/minutes.txt");
    expect(problem!.message).toContain("sha224");
  });

  it("an unlisted payload file", async () => {
    const dir = await craftBag({ version: "0.97", payload: PAYLOAD, bagInfo: null });
    await writeFile(path.join(dir, "data", "stowaway.txt"), "");
    expectOnly(await validateBag(dir), "payload-not-in-manifest", "data/stowaway.txt");
  });

  it("a wrong Payload-Oxum", async () => {
    const dir = await craftBag({ version: "0.97", payload: PAYLOAD, bagInfo: "Payload-Oxum: 3.2\n" });
    expectOnly(await validateBag(dir), "payload-oxum", "bag-info.txt");
  });

  it("a sha384 manifest with the wrong digest", async () => {
    const dir = await craftBag({ payload: PAYLOAD, algorithms: ["sha384"] });
    await writeFile(
      path.join(dir, "manifest-sha384.txt"),
      manifestText("sha384", PAYLOAD).replace(digestOf("sha384", "binary-ish"), digestOf("sha384", "other")),
    );
    await retag(dir);
    expectOnly(await validateBag(dir), "checksum-mismatch", "data/photo.bin");
  });
});
