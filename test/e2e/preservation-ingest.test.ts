import { execFile } from "node:child_process";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { extractArchive } from "../../functions/archives/index.ts";
import { validateBag } from "../../functions/bagit/index.ts";
import { stepmatica } from "../helpers/cli.ts";
import { pdfBytes, pngBytes, tempDir } from "../helpers/fixtures.ts";
import { jpegBytes, wavBytes } from "../helpers/media-fixtures.ts";
import { validateMetsXml } from "../helpers/xsd.ts";
import { expectValidAip, listTree } from "./aip-checks.ts";

let root: string;
let env: Record<string, string>;
let source: string;
let originals: string[];

const METADATA_CSV = [
  "filename,dc.title,dc.creator,dc.subject,dc.subject,local.shelf",
  'objects,"Preservation test, deposit 1",Ada Lovelace,tests,fixtures,A1',
  "objects/images/photo.png,A gradient,Grace Hopper,,,B2",
  "",
].join("\n");

beforeAll(async () => {
  root = await tempDir("e2e-preservation");
  env = { STEPMATICA_HOME: path.join(root, "home") };
  source = path.join(root, "deposit");
  const files: Record<string, Buffer | string> = {
    "images/photo.png": await pngBytes(24, 16, 3),
    "images/snap.jpg": await jpegBytes(20, 10),
    "docs/report.pdf": pdfBytes("report"),
    "audio/tone.wav": wavBytes(),
    "metadata/metadata.csv": METADATA_CSV,
  };
  for (const [rel, body] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(source, rel)), { recursive: true });
    await writeFile(path.join(source, rel), body);
  }
  originals = Object.keys(files).sort();
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function run(out: string, sets: string[], from = source) {
  const args = ["run", from, "--out", out, "--json", ...sets.flatMap((s) => ["--set", s])];
  const result = await stepmatica(args, env);
  expect(result.code, result.stderr).toBe(0);
  expect(result.json).toMatchObject({ status: "completed", reason: null });
  return result;
}

async function metsOf(aip: string): Promise<string> {
  const name = (await readdir(path.join(aip, "data"))).find((n) => /^METS\..+\.xml$/.test(n))!;
  return readFile(path.join(aip, "data", name), "utf8");
}

describe("preservation ingest: characterization, validation, normalization, metadata.csv", () => {
  it("normalize=preservation: TIFFs for raster images, PDF/A, dmdSecs, characteristics, validation events", async () => {
    const out = path.join(root, "aips-preservation");
    const result = await run(out, ["normalize=preservation", "aip_compression=none"]);
    expect(result.json!.files).toBe(originals.length);
    const aip = String(result.json!.aip);
    const xml = await expectValidAip(aip, source, originals);
    const tree = await listTree(path.join(aip, "data", "objects"));

    for (const stem of ["images/photo", "images/snap"]) {
      const tiff = tree.find((f) => new RegExp(`^${stem}-[0-9a-f-]{36}\\.tif$`).test(f));
      expect(tiff, `${stem}: preservation TIFF beside the original`).toBeDefined();
      const meta = await sharp(path.join(aip, "data", "objects", tiff!)).metadata();
      expect(meta.format).toBe("tiff");
      expect(meta.width).toBe(stem === "images/photo" ? 24 : 20);
    }
    const pdfa = tree.find((f) => /^docs\/report-[0-9a-f-]{36}\.pdf$/.test(f));
    expect(pdfa, "PDF/A derivative").toBeDefined();
    expect((await readFile(path.join(aip, "data", "objects", pdfa!))).toString("latin1")).toContain(
      "pdfaid:part",
    );
    expect(tree.some((f) => f.startsWith("DIP/") || f.endsWith(".mp3"))).toBe(false);

    const preservationGroup =
      /<mets:fileGrp USE="preservation">([\s\S]*?)<\/mets:fileGrp>/.exec(xml)?.[1] ?? "";
    expect(preservationGroup.match(/<mets:file /g)).toHaveLength(3);
    expect(xml).toContain("<premis:relationshipType>derivation</premis:relationshipType>");
    expect(xml).toContain("<premis:relationshipSubType>has source</premis:relationshipSubType>");
    expect(xml).toMatch(/<premis:eventType>normalization<\/premis:eventType>/);
    expect(xml).toMatch(/<premis:eventType>creation<\/premis:eventType>/);
    expect(xml).toMatch(/<premis:eventType>validation<\/premis:eventType>/);
    expect(xml).toMatch(/<premis:eventType>metadata extraction<\/premis:eventType>/);
    expect(xml).not.toMatch(/<premis:eventOutcome>failure<\/premis:eventOutcome>/);
    expect(xml).toContain("<dc:title>Preservation test, deposit 1</dc:title>");
    expect(xml).toContain("<dc:title>A gradient</dc:title>");
    expect((xml.match(/<dc:subject>/g) ?? []).length).toBe(2);
    // A column that is not Dublin Core (local.shelf) goes to an OTHER (CUSTOM) dmdSec, as in
    // Archivematica, never into the DC record.
    const dc = [...xml.matchAll(/<mets:mdWrap MDTYPE="DC">([\s\S]*?)<\/mets:mdWrap>/g)]
      .map((m) => m[1])
      .join("");
    const other = [
      ...xml.matchAll(/<mets:mdWrap MDTYPE="OTHER" OTHERMDTYPE="CUSTOM">([\s\S]*?)<\/mets:mdWrap>/g),
    ]
      .map((m) => m[1])
      .join("");
    expect(dc).toContain("Preservation test, deposit 1");
    expect(dc).not.toContain("A1");
    expect(other).toContain("A1");
    expect(other).toContain("B2");
    expect(xml).toMatch(/<premis:objectCharacteristicsExtension>\s*<sm:tool[^>]*name="exiftool"/);
    expect(xml).toMatch(/name="mediainfo"/);
    expect(xml).toContain("ImageWidth");

    const status = await stepmatica(["status", String(result.json!.id), "--json"], env);
    const jobs = (
      status.json as {
        units: Array<{ microservices: Array<{ jobs: Array<{ name?: string; exitCode: number }> }> }>;
      }
    ).units.flatMap((u) => u.microservices.flatMap((m) => m.jobs));
    expect(jobs.every((j) => j.exitCode === 0)).toBe(true);
  });

  it.each(["7z", "zip", "tar.gz"])(
    "aip_compression=%s gives one file that extracts to a valid bag",
    async (kind) => {
      const out = path.join(root, `aips-${kind}`);
      const result = await run(out, ["normalize=preservation", `aip_compression=${kind}`]);
      const stored = String(result.json!.aip);
      expect(stored.endsWith(`.${kind}`)).toBe(true);
      expect(await readdir(out)).toEqual([path.basename(stored)]);
      const dest = path.join(root, `extracted-${kind}`);
      await extractArchive(stored, dest);
      const [top, ...rest] = await readdir(dest);
      expect(rest).toEqual([]);
      expect(`${top}.${kind}`).toBe(path.basename(stored));
      const bag = await validateBag(path.join(dest, top!));
      expect(bag.problems).toEqual([]);
      const validation = await validateMetsXml(await metsOf(path.join(dest, top!)));
      expect(validation.errors.slice(0, 3)).toEqual([]);
    },
  );

  it("dip=true with normalize=both: the DIP holds access copies and the METS; the AIP holds none", async () => {
    const out = path.join(root, "aips-dip");
    const result = await run(out, ["normalize=both", "aip_compression=none", "dip=true"]);
    const aip = String(result.json!.aip);
    const dips = await readdir(path.join(out, "dips"));
    expect(dips).toEqual([path.basename(aip)]);
    const dip = path.join(out, "dips", dips[0]!);
    const files = await listTree(dip);
    expect(files.some((f) => /^objects\/images\/photo-[0-9a-f-]{36}\.jpg$/.test(f))).toBe(true);
    expect(files.some((f) => /^objects\/audio\/tone-[0-9a-f-]{36}\.mp3$/.test(f))).toBe(true);
    expect(files).toContain("objects/docs/report.pdf"); // no access rule for PDF: a copy of the original
    expect(files.some((f) => /^METS\.[0-9a-f-]{36}\.xml$/.test(f))).toBe(true);
    const jpeg = files.find((f) => /photo-.*\.jpg$/.test(f))!;
    expect((await sharp(path.join(dip, jpeg)).metadata()).format).toBe("jpeg");
    const aipFiles = await listTree(aip);
    expect(aipFiles.some((f) => f.endsWith(".mp3") || f.includes("/DIP/"))).toBe(false);
    expect(aipFiles.some((f) => f.endsWith(".tif"))).toBe(true);
    expect((await validateBag(aip)).valid).toBe(true);
  });

  it("a truncated PNG: validation failure and normalization failure are recorded, the original is kept, the run completes", async () => {
    const broken = path.join(root, "broken");
    await mkdir(broken, { recursive: true });
    const png = await pngBytes(16, 16, 9);
    await writeFile(path.join(broken, "cut.png"), png.subarray(0, png.length - 30));
    const out = path.join(root, "aips-broken");
    const result = await run(out, ["normalize=preservation", "aip_compression=none"], broken);
    const aip = String(result.json!.aip);
    const xml = await metsOf(aip);
    expect(xml).toMatch(
      /<premis:eventType>validation<\/premis:eventType>[\s\S]*?<premis:eventOutcome>failure<\/premis:eventOutcome>/,
    );
    expect(xml).toMatch(
      /<premis:eventType>normalization<\/premis:eventType>[\s\S]*?<premis:eventOutcome>failure<\/premis:eventOutcome>/,
    );
    expect(await listTree(path.join(aip, "data", "objects"))).toEqual(["cut.png"]);
    const status = await stepmatica(["status", String(result.json!.id), "--json"], env);
    expect(JSON.stringify(status.json)).toMatch(/"exitCode":2/);
  });

  it("leaves no ExifTool process behind once the runs have closed", async () => {
    const { stdout } = await promisify(execFile)("ps", ["-o", "pid=,args=", "--ppid", String(process.pid)]);
    expect(stdout).not.toMatch(/exiftool/i);
  });
});
