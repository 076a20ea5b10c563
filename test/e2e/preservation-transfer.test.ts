import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createArchive } from "../../functions/archives/index.ts";
import { writeBag } from "../../functions/bagit/index.ts";
import { resetToolInvocationCounts, toolInvocationCounts } from "../../functions/tools/run-tool.ts";
import { findJob } from "../../workflows/index.ts";
import { runAutomated, stepmatica } from "../helpers/cli.ts";
import { manySmallFiles, tempDir } from "../helpers/fixtures.ts";
import { validateMetsXml } from "../helpers/xsd.ts";
import { EICAR, preservationDeposit, put, refusedPackages } from "../unit/tasks/fixtures.ts";
import { listTree } from "./aip-checks.ts";

// The transfer side of the preservation microservices, run whole through the CLI in this process:
// bags, supplied checksums, ClamAV, package extraction (nested), clean names, PRONOM identification.
let root: string;
let env: Record<string, string>;
beforeAll(async () => {
  root = await tempDir("e2e-preservation");
  // No official ClamAV database (whatever this machine has): the scans have the test signatures only.
  env = {
    STEPMATICA_HOME: path.join(root, "home"),
    STEPMATICA_CLAMAV_DB_DIR: path.join(root, "no-databases"),
  };
  await mkdir(env.STEPMATICA_CLAMAV_DB_DIR!, { recursive: true });
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const run = (source: string, name: string, ...extra: string[]) =>
  runAutomated(root, env, source, name, ...extra);

async function metsOf(aip: string): Promise<string> {
  const mets = (await readdir(path.join(aip, "data"))).find((n) => /^METS\..+\.xml$/.test(n));
  return readFile(path.join(aip, "data", mets!), "utf8");
}

describe("preservation microservices on the transfer", () => {
  it("rejects a mixed transfer holding the EICAR test file, naming the file and the signature", async () => {
    const source = path.join(root, "mixed-eicar");
    await preservationDeposit(source, path.join(root, "work-eicar"), true);
    const result = await run(source, "eicar");
    expect(result.code).toBe(1);
    expect(result.json).toMatchObject({ status: "rejected", aip: null });
    expect(String(result.json!.reason)).toMatch(/Scan for viruses/);
    expect(String(result.json!.reason)).toMatch(/suspicious\/eicar\.com: infected: Stepmatica\.Test\.EICAR/);
  });

  it("without it the transfer completes: every original, extracted contents included, identified and scanned", async () => {
    const source = path.join(root, "mixed");
    const deposit = await preservationDeposit(source, path.join(root, "work-mixed"), false);
    const result = await run(source, "mixed", "--set", "normalize=preservation");
    expect(result.code, result.stderr).toBe(0);
    const aip = String(result.json!.aip);
    for (const [rel, body] of Object.entries(deposit.files)) {
      const stored = await readFile(path.join(aip, "data", "objects", ...rel.split("/")));
      expect(stored.equals(Buffer.from(body)), rel).toBe(true);
    }
    for (const [rel, text] of Object.entries(deposit.nested)) {
      expect(await readFile(path.join(aip, "data", "objects", "packages", "outer", rel), "utf8"), rel).toBe(
        text,
      );
    }
    // `files` counts the original files: what was deposited plus everything extracted from packages
    // (the three text files and the two packages nested in outer.zip, which are kept as files too).
    expect(result.json!.files).toBe(
      Object.keys(deposit.files).length + Object.keys(deposit.nested).length + 2,
    );
    const tree = await listTree(path.join(aip, "data", "objects"));
    expect(
      tree.some((p) => p.startsWith("docs/letter/")),
      "a DOCX is a document, not a package",
    ).toBe(false);
    expect(
      tree.some((p) => p.startsWith("docs/not-really/")),
      "a .zip that is text stays a file",
    ).toBe(false);
    const mets = await metsOf(aip);
    for (const event of ["virus check", "unpacking", "format identification", "message digest calculation"])
      expect(mets, event).toContain(event);
    expect(mets).toContain("x-fmt/263"); // the zip
    expect(mets).toContain("fmt/412"); // the DOCX, by its container signature
    expect(mets).toContain("only the stepmatica test signatures");
    // With the test signatures only, no virus check is recorded as a success, and status says so.
    const virusChecks = [...mets.matchAll(/<premis:event\b[^>]*>[\s\S]*?<\/premis:event>/g)]
      .map((m) => m[0])
      .filter((event) => event.includes("<premis:eventType>virus check</premis:eventType>"));
    expect(virusChecks.length).toBe(result.json!.files);
    for (const event of virusChecks) {
      expect(event).toContain("<premis:eventOutcome>warning</premis:eventOutcome>");
      expect(event).toContain("not performed with real signatures");
    }
    const status = await stepmatica(["status", String(result.json!.id)], env);
    expect(status.stdout).toMatch(
      new RegExp(
        `virus checks: NOT PERFORMED WITH REAL SIGNATURES for ${virusChecks.length} of ${virusChecks.length} file`,
      ),
    );
    const statusJson = await stepmatica(["status", "--json", String(result.json!.id)], env);
    expect(JSON.parse(statusJson.stdout.trim().split("\n").at(-1)!).units[0].virusChecks).toEqual({
      files: virusChecks.length,
      withRealSignatures: 0,
      testSignaturesOnly: virusChecks.length,
      performedWithRealSignatures: false,
    });
    // Identified as what they are: PNG 1.0, a raw JPEG stream (sharp writes no JFIF header), PDF 1.4, WAV.
    for (const puid of ["fmt/11", "fmt/41", "fmt/18", "fmt/141"]) expect(mets, puid).toContain(`>${puid}<`);
    // A preservation TIFF beside each raster image, recorded as a derivative.
    for (const image of ["images/picture", "images/photo"]) {
      const tiff = tree.find((p) => p.startsWith(`${image}-`) && p.endsWith(".tif"));
      expect(tiff, `${image}: preservation TIFF`).toBeDefined();
      expect((await sharp(path.join(aip, "data", "objects", ...tiff!.split("/"))).metadata()).format).toBe(
        "tiff",
      );
    }
    expect(mets).toContain('USE="preservation"');
    const validation = await validateMetsXml(mets);
    expect(validation.errors.slice(0, 5)).toEqual([]);
    expect(validation.valid).toBe(true);
  });

  it("scan_for_viruses=false skips the scan (the decision node), and the EICAR file goes through", async () => {
    const source = path.join(root, "no-scan");
    await put(path.join(source, "eicar.com"), EICAR);
    await put(path.join(source, "note.txt"), "scanning is off for this one\n");
    const result = await run(source, "no-scan", "--set", "scan_for_viruses=false");
    expect(result.code, result.stderr).toBe(0);
    expect(await metsOf(String(result.json!.aip))).not.toContain("virus check");
  });

  it("refuses zip-slip, symlink-escape, bomb and corrupt packages, naming package and entry; nothing lands outside", async () => {
    for (const pkg of await refusedPackages()) {
      const source = path.join(root, `refused-${pkg.name}`);
      await put(path.join(source, pkg.name), pkg.bytes);
      await put(path.join(source, "fine.txt"), "an ordinary file\n");
      const result = await run(source, `refused-${pkg.name}`);
      expect(result.code, pkg.name).toBe(1);
      expect(result.json!.status, pkg.name).toBe("rejected");
      expect(String(result.json!.reason), pkg.name).toMatch(/Extract packages/);
      expect(String(result.json!.reason), pkg.name).toMatch(pkg.reason);
    }
    const everything = await listTree(root);
    expect(everything.filter((p) => /(^|\/)(escaped|owned)\.txt$/.test(p))).toEqual([]);
  });

  it("a deposit that is itself a package (tar.gz) is extracted by the same job", async () => {
    const folder = path.join(root, "as-package");
    await put(path.join(folder, "a.txt"), "packed transfer\n");
    const tarball = path.join(root, "packed-transfer.tar.gz");
    await createArchive(folder, tarball, "tar.gz", { mtime: new Date(0) });
    const result = await run(tarball, "packed");
    expect(result.code, result.stderr).toBe(0);
    const aip = String(result.json!.aip);
    expect(await readFile(path.join(aip, "data", "objects", "packed-transfer", "a.txt"), "utf8")).toBe(
      "packed transfer\n",
    );
  });
});

describe("bags and supplied checksums", () => {
  async function makeBag(dir: string): Promise<void> {
    await put(path.join(dir, "data", "one.txt"), "first payload file\n");
    await put(path.join(dir, "data", "sub", "two.csv"), "a,b\n1,2\n");
    await writeBag(dir, {
      algorithms: ["sha256", "md5"],
      bagInfo: { "Source-Organization": "tests", "External-Identifier": "PP/CRI/J/2/3" },
    });
  }

  it("a valid bag completes: payload as objects, tag files in logs/bagit, a fixity check per file", async () => {
    const bag = path.join(root, "bag-valid");
    await makeBag(bag);
    const result = await run(bag, "bag-valid");
    expect(result.code, result.stderr).toBe(0);
    const aip = String(result.json!.aip);
    expect(await readFile(path.join(aip, "data", "objects", "sub", "two.csv"), "utf8")).toBe("a,b\n1,2\n");
    expect(await readFile(path.join(aip, "data", "logs", "bagit", "bagit.txt"), "utf8")).toMatch(
      /BagIt-Version/,
    );
    const mets = await metsOf(aip);
    expect(
      mets.match(/<premis:eventType>fixity check<\/premis:eventType>/g)?.length ?? 0,
    ).toBeGreaterThanOrEqual(4);
    // The bag's catalogue reference follows the AIP: bag-info and the METS.
    expect(await readFile(path.join(aip, "bag-info.txt"), "utf8")).toContain(
      "External-Identifier: PP/CRI/J/2/3",
    );
    expect(mets).toContain("PP/CRI/J/2/3");
  });

  it("a zipped bag is detected, extracted safely and validated", async () => {
    const bag = path.join(root, "zipped-bag", "my-bag");
    await makeBag(bag);
    const zip = path.join(root, "my-bag.zip");
    await createArchive(path.dirname(bag), zip, "zip", { mtime: new Date(0) });
    const result = await run(zip, "bag-zipped");
    expect(result.code, result.stderr).toBe(0);
    expect(await readFile(path.join(String(result.json!.aip), "data", "objects", "one.txt"), "utf8")).toBe(
      "first payload file\n",
    );
  });

  it("an invalid bag is rejected before anything else, naming each bad file", async () => {
    const bag = path.join(root, "bag-invalid");
    await makeBag(bag);
    await writeFile(path.join(bag, "data", "one.txt"), "changed after bagging\n");
    await rm(path.join(bag, "data", "sub", "two.csv"));
    const result = await run(bag, "bag-invalid");
    expect(result.code).toBe(1);
    expect(result.json!.status).toBe("rejected");
    const reason = String(result.json!.reason);
    expect(reason).toMatch(/Verify transfer compliance/);
    expect(reason).toContain("data/one.txt");
    expect(reason).toContain("data/sub/two.csv");
  });

  async function withChecksums(dir: string, corrupt: boolean): Promise<void> {
    const files = { "objects/a.txt": "alpha\n", "objects/b/c.txt": "gamma\n" };
    const lines: string[] = [];
    for (const [rel, text] of Object.entries(files)) {
      await put(path.join(dir, rel), text);
      lines.push(`${createHash("md5").update(text).digest("hex")}  ../${rel}`);
    }
    if (corrupt) await writeFile(path.join(dir, "objects", "b", "c.txt"), "tampered\n");
    await put(path.join(dir, "metadata", "checksum.md5"), `${lines.join("\n")}\n`);
  }

  it("supplied metadata/checksum.md5 that matches: completes with fixity check events", async () => {
    const source = path.join(root, "checksums-good");
    await withChecksums(source, false);
    const result = await run(source, "checksums-good");
    expect(result.code, result.stderr).toBe(0);
    expect(await metsOf(String(result.json!.aip))).toContain("fixity check");
  });

  it("a mismatch rejects the transfer naming the file", async () => {
    const source = path.join(root, "checksums-bad");
    await withChecksums(source, true);
    const result = await run(source, "checksums-bad");
    expect(result.code).toBe(1);
    expect(result.json!.status).toBe("rejected");
    expect(String(result.json!.reason)).toMatch(/Verify transfer checksums.*objects\/b\/c\.txt/);
    expect(String(result.json!.reason)).not.toContain("objects/a.txt");
  });
});

describe("per-file tools run per batch", () => {
  it("500 files: clamscan starts once per batch (of the declared batch size), not once per file", async () => {
    const source = path.join(root, "many");
    await mkdir(source, { recursive: true });
    await manySmallFiles(source, 500);
    await stepmatica(["doctor"], env); // asks clamscan for its version now, so the count below is scans only
    resetToolInvocationCounts();
    const result = await run(source, "many");
    expect(result.code, result.stderr).toBe(0);
    expect(result.json!.files).toBe(500);
    const batch = findJob("scan_for_viruses")!.batchSize!;
    expect(batch).toBeGreaterThan(1);
    expect(toolInvocationCounts().get("clamscan")).toBe(Math.ceil(500 / batch));
  });
});
