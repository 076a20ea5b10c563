import { createHash } from "node:crypto";
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../../functions/cli/main.ts";
import { loadSignatureFolder, SHIPPED_SIGNATURES_DIR } from "../../../functions/identify/index.ts";
import { ATTRIBUTION, renderSignaturesReadme } from "../../../functions/identify/signature-install.ts";
import { CONTAINER_FILE, DROID_FILE, tempDir } from "./samples.ts";

/** The sha256 of The National Archives' releases (PRONOM V119 and container signatures 20240715). */
const OFFICIAL = {
  "DROID_SignatureFile_V119.xml": "ee113507bda174da82f15be4a8f653094f614d542333313f81058235e7f3cf22",
  "container-signature-20240715.xml": "f3eaac7e946ea0981bac92468ef12e47e5353984b788e1095a29a5458e251cb4",
};

async function cli(argv: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on("data", (c: Buffer) => out.push(c));
  stderr.on("data", (c: Buffer) => err.push(c));
  const code = await main(argv, { stdout, stderr, env: process.env, cwd });
  return { code, out: Buffer.concat(out).toString(), err: Buffer.concat(err).toString() };
}

let dir: string;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the shipped PRONOM signature files", () => {
  it("are the official files, byte for byte, with attribution, version, date and sha256 beside them", async () => {
    const names = (await readdir(SHIPPED_SIGNATURES_DIR)).filter((n) => n.endsWith(".xml")).sort();
    expect(names).toEqual(Object.keys(OFFICIAL).sort());
    for (const [name, sha256] of Object.entries(OFFICIAL)) {
      const bytes = await readFile(join(SHIPPED_SIGNATURES_DIR, name));
      expect(createHash("sha256").update(bytes).digest("hex"), name).toBe(sha256);
    }
    const readme = await readFile(join(SHIPPED_SIGNATURES_DIR, "README.md"), "utf8");
    const { files } = await loadSignatureFolder();
    expect(readme).toBe(renderSignaturesReadme(files));
    expect(readme).toContain(ATTRIBUTION);
    expect(readme).toContain(
      "| `DROID_SignatureFile_V119.xml` | DROID binary signatures and file formats | 119 | 2024-07-08 |",
    );
    expect(readme).toContain(
      "| `container-signature-20240715.xml` | container signatures (OLE2, ZIP) | 38 | 2024-07-15 |",
    );
  });

  it("doctor prints the versions in use", async () => {
    const result = await cli(["doctor", "--json"], dir);
    const report = JSON.parse(result.out) as { signatures: { files: { file: string; version: string }[] } };
    expect(report.signatures.files.map((f) => [f.file, f.version])).toEqual([
      ["DROID_SignatureFile_V119.xml", "119"],
      ["container-signature-20240715.xml", "38"],
    ]);
  });
});

describe("stepmatica signatures update", () => {
  const installInto = async (name: string): Promise<string> => {
    const target = join(dir, name);
    await mkdir(target);
    await copyFile(DROID_FILE, join(target, "DROID_SignatureFile_V119.xml"));
    await copyFile(CONTAINER_FILE, join(target, "container-signature-20240715.xml"));
    return target;
  };

  it("installs newer files after reading their version from them, and rewrites the README", async () => {
    const target = await installInto("newer");
    const v120 = join(dir, "DROID_SignatureFile_V120.xml");
    const xml = (await readFile(DROID_FILE, "utf8"))
      .replace('Version="119"', 'Version="120"')
      .replace('DateCreated="2024-07-08T11:54:20"', 'DateCreated="2025-03-01T10:00:00"');
    await writeFile(v120, xml);
    const result = await cli(["signatures", "update", "--dir", target, v120], dir);
    expect(result.err).toBe("");
    expect(result.code).toBe(0);
    expect(result.out).toContain("installed droid DROID_SignatureFile_V120.xml version 120 (2025-03-01)");
    expect(result.out).toContain("removed DROID_SignatureFile_V119.xml");
    expect((await readdir(target)).sort()).toEqual([
      "DROID_SignatureFile_V120.xml",
      "README.md",
      "container-signature-20240715.xml",
    ]);
    const loaded = await loadSignatureFolder(target);
    expect(loaded.signatures.version).toBe("120");
    expect(await readFile(join(target, "README.md"), "utf8")).toContain("| 120 | 2025-03-01 |");
    const shown = await cli(["signatures", "show", "--dir", target], dir);
    expect(shown.out).toContain("droid DROID_SignatureFile_V120.xml version 120");
  });

  it("refuses, changing nothing, a file that is not a signature file, has no version, or is older", async () => {
    const target = await installInto("refusals");
    const before = (await readdir(target)).sort();
    const cases: [string, string, RegExp][] = [
      ["DROID_SignatureFile_V200.xml", "<html><body>not PRONOM</body></html>", /root element <html>/],
      [
        "DROID_SignatureFile_V201.xml",
        '<FFSignatureFile><InternalSignatureCollection><InternalSignature ID="1"/></InternalSignatureCollection><FileFormatCollection/></FFSignatureFile>',
        /no Version attribute/,
      ],
      ["DROID_SignatureFile_V202.xml", '<FFSignatureFile Version="202"><FileFormatCollection>', /not closed/],
    ];
    for (const [name, content, reason] of cases) {
      await writeFile(join(dir, name), content);
      const result = await cli(["signatures", "update", "--dir", target, join(dir, name)], dir);
      expect(result.code, name).toBe(1);
      expect(result.err, name).toMatch(reason);
      expect(result.err, name).toContain(name);
    }
    const older = join(dir, "DROID_SignatureFile_V100.xml");
    await writeFile(older, (await readFile(DROID_FILE, "utf8")).replace('Version="119"', 'Version="100"'));
    const refused = await cli(["signatures", "update", "--dir", target, older], dir);
    expect(refused.code).toBe(1);
    expect(refused.err).toMatch(/version 100 .*older than the installed DROID_SignatureFile_V119\.xml/);
    const misnamed = join(dir, "pronom-latest.xml");
    await copyFile(CONTAINER_FILE, misnamed);
    expect((await cli(["signatures", "update", "--dir", target, misnamed], dir)).err).toMatch(
      /must be named like container-signature-/,
    );
    expect((await readdir(target)).sort()).toEqual(before);
    expect((await cli(["signatures", "update"], dir)).code).toBe(2);
  });
});
