import { mkdir, readFile, rm, stat, symlink, truncate, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { writeBag } from "../../../functions/bagit/index.ts";
import { assignChecksums } from "../../../functions/tasks/assign-checksums.ts";
import { assignFileUuids } from "../../../functions/tasks/assign-file-uuids.ts";
import { changeFilenames } from "../../../functions/tasks/change-filenames.ts";
import { extractPackages } from "../../../functions/tasks/extract-packages.ts";
import { identifyFileFormat } from "../../../functions/tasks/identify-file-format.ts";
import {
  describeScanResult as describeScan,
  scanForViruses,
} from "../../../functions/tasks/scan-for-viruses.ts";
import { verifyBag } from "../../../functions/tasks/verify-bag.ts";
import { verifySipCompliance } from "../../../functions/tasks/verify-sip-compliance.ts";
import { verifyTransferChecksums } from "../../../functions/tasks/verify-transfer-checksums.ts";
import { verifyTransferCompliance } from "../../../functions/tasks/verify-transfer-compliance.ts";
import { tempDir, withoutOfficialClamavDatabases } from "../../helpers/fixtures.ts";
import { UnitState } from "./context.ts";
import { EICAR, nestedPackage, put } from "./fixtures.ts";

let root: string;
beforeEach(async () => {
  root = await tempDir("tasks");
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Outcomes compared across two runs: everything but the (random) task ids in events. */
const comparable = (o: { events?: Array<{ taskId: string | null }> }) => ({
  ...o,
  events: o.events?.map((e) => ({ ...e, taskId: null })),
});

async function unitWith(files: Record<string, string | Buffer>, config = {}) {
  const unitPath = path.join(root, "unit");
  for (const [rel, body] of Object.entries(files)) await put(path.join(unitPath, rel), body);
  for (const folder of ["objects", "metadata", "logs"])
    await mkdir(path.join(unitPath, folder), { recursive: true });
  const state = new UnitState(unitPath, config);
  await state.run(assignFileUuids);
  return state;
}

describe("scan-for-viruses", () => {
  // This machine's official databases (if any) must not decide the outcome: an empty folder stands for none.
  let restoreDatabases: () => void;
  beforeEach(async () => {
    restoreDatabases = await withoutOfficialClamavDatabases(root);
  });
  afterEach(() => restoreDatabases());

  it("one clamscan run per batch; EICAR fails the task naming file and signature; the same twice", async () => {
    const state = await unitWith({
      "objects/eicar.com": EICAR,
      "objects/clean.txt": "clean\n",
      "objects/empty": "",
    });
    const first = await state.run(scanForViruses, state.listFiles(), { apply: false });
    const second = await state.run(scanForViruses, state.listFiles(), { apply: false });
    expect(first.outcome.exitCode).toBe(1);
    expect(first.stderr.join("\n")).toMatch(/objects\/eicar\.com: infected: Stepmatica\.Test\.EICAR/);
    expect(first.stderr.join("\n")).not.toMatch(/clean\.txt/);
    expect(first.outcome.events).toHaveLength(3);
    expect(first.outcome.events!.map((e) => e.outcome).sort()).toEqual(["failure", "warning", "warning"]);
    expect(comparable(second.outcome)).toEqual(comparable(first.outcome));
  });

  it("a file over ClamAV's 2 GiB limit is named and not scanned; the files around it are scanned", async () => {
    const state = await unitWith({ "objects/a.txt": "clean\n", "objects/z-eicar.com": EICAR });
    // Sparse: 2 GiB + 1 bytes on disk cost nothing. Registered like the others, between them by path.
    const big = path.join(root, "unit", "objects", "m-big.bin");
    await writeFile(big, "");
    await truncate(big, 2 ** 31);
    await state.run(assignFileUuids);
    const files = state.listFiles();
    expect(files.map((f) => f.path)).toEqual(["objects/a.txt", "objects/m-big.bin", "objects/z-eicar.com"]);
    const { outcome, stderr } = await state.run(scanForViruses, files, { apply: false });
    expect(outcome.exitCode).toBe(1);
    const byFile = new Map(outcome.events!.map((e) => [files.find((f) => f.id === e.fileId)!.path, e]));
    expect(byFile.get("objects/m-big.bin")).toMatchObject({
      outcome: "warning",
      outcomeDetail: "not scanned: larger than ClamAV's 2 GiB limit",
    });
    expect(byFile.get("objects/z-eicar.com")!.outcome).toBe("failure");
    expect(byFile.get("objects/a.txt")!.outcomeDetail).not.toMatch(/2 GiB/);
    expect(stderr.join("\n")).toMatch(/objects\/m-big\.bin: not scanned: larger than ClamAV's 2 GiB limit/);
  });

  it("with only the test signatures, no virus check event claims success; each names engine and databases", async () => {
    const state = await unitWith({
      "objects/a.txt": "a\n",
      "objects/b.pdf": "%PDF-1.4\n",
      "objects/empty": "",
    });
    const { outcome, stdout } = await state.run(scanForViruses, state.listFiles(), { apply: false });
    expect(outcome.exitCode).toBe(0);
    const events = outcome.events!;
    expect(events).toHaveLength(3);
    for (const event of events) {
      expect(event.type).toBe("virus check");
      expect(event.outcome).toBe("warning");
      expect(event.outcomeDetail).toMatch(
        /^not performed with real signatures: only the stepmatica test signatures/,
      );
      expect(event.detail).toMatch(/^program="clamscan"; version="ClamAV \d+\.\d+\.\d+/);
      expect(event.detail).toContain("no official ClamAV database");
    }
    expect(stdout.join("\n")).toMatch(/WARNING: only the stepmatica test signatures/);
  });

  it("a database ClamAV refuses (a forged header) fails the scan: never a clean result", async () => {
    const forged = Buffer.alloc(512, " ");
    forged.write("ClamAV-VDB:03 Dec 2026 10-00 +0000:27500:2000000:90:x:x:x:x");
    await put(
      path.join(process.env.STEPMATICA_CLAMAV_DB_DIR!, "daily.cvd"),
      Buffer.concat([forged, Buffer.alloc(700, 7)]),
    );
    const state = await unitWith({ "objects/a.txt": "a\n" });
    await expect(state.run(scanForViruses, state.listFiles())).rejects.toThrow(
      /clamscan could not scan: .*(verify database integrity|daily\.cvd)/,
    );
  });

  it("with official signatures a clean file is a success; a test-signature-only scan never is", () => {
    const clean = { file: "x", status: "clean" as const };
    expect(describeScan(clean, { onlyTestSignatures: false })).toEqual({
      outcome: "success",
      outcomeDetail: "clean",
    });
    expect(describeScan(clean, { onlyTestSignatures: true }).outcome).toBe("warning");
    expect(
      describeScan({ file: "x", status: "infected", signature: "Eicar" }, { onlyTestSignatures: true }),
    ).toEqual({ outcome: "failure", outcomeDetail: "infected: Eicar" });
  });

  it("without clamscan the task fails with a clear error, never a silent pass", async () => {
    const state = await unitWith({ "objects/clean.txt": "clean\n" });
    const saved = process.env.PATH;
    process.env.PATH = path.join(root, "no-tools-here");
    try {
      await expect(state.run(scanForViruses, state.listFiles())).rejects.toThrow(
        "clamscan not found: install clamav (functions/worker/install-tools.sh)",
      );
    } finally {
      process.env.PATH = saved;
    }
  });
});

describe("extract-packages", () => {
  it("extracts nested packages pass by pass, registers files derived from their package, and repeats identically", async () => {
    const nested = await nestedPackage(path.join(root, "work"));
    const state = await unitWith({ "objects/outer.zip": nested.zip, "objects/keep.zip": "not a zip\n" });
    await state.run(identifyFileFormat, state.listFiles());
    const first = await state.run(extractPackages, [], { apply: false });
    const again = await state.run(extractPackages, [], { apply: false }); // a retry before the result was recorded
    expect(comparable(again.outcome)).toEqual(comparable(first.outcome));
    state.apply(first.outcome);
    expect(first.outcome.output).toMatchObject({ extracted: 1 });
    let passes = 1;
    for (let extracted = 1; extracted > 0; passes++) {
      await state.run(assignFileUuids);
      await state.run(identifyFileFormat, state.listFiles());
      extracted = Number((await state.run(extractPackages)).outcome.output?.extracted);
    }
    expect(passes).toBe(4); // outer.zip, middle.tar.gz, inner.zip, then a pass that finds nothing
    const deep = state.listFiles().find((f) => f.path === "objects/outer/middle/inner/deep.txt")!;
    expect(await readFile(path.join(state.unitPath, deep.path), "utf8")).toBe("three levels down\n");
    const inner = state.files.get(deep.derivedFrom!)!;
    expect(inner.path).toBe("objects/outer/middle/inner.zip");
    expect(deep.originalPath).toBe("outer.zip/middle.tar.gz/inner.zip/deep.txt");
    expect(state.listFiles().some((f) => f.path.startsWith("objects/keep/"))).toBe(false);
  });

  it("honours extract_packages_depth and delete_packages_after_extraction", async () => {
    const nested = await nestedPackage(path.join(root, "work"));
    const state = await unitWith(
      { "objects/outer.zip": nested.zip },
      { extract_packages_depth: 1, delete_packages_after_extraction: true },
    );
    for (let pass = 0; pass < 3; pass++) {
      await state.run(assignFileUuids);
      await state.run(extractPackages);
    }
    const paths = state.listFiles().map((f) => f.path);
    expect(paths).toContain("objects/outer/middle.tar.gz");
    expect(paths).not.toContain("objects/outer.zip");
    expect(paths.some((p) => p.startsWith("objects/outer/middle/"))).toBe(false);
    await expect(stat(path.join(state.unitPath, "objects", "outer.zip"))).rejects.toThrow();
    const warnings = [...state.events.values()].filter(
      (e) => e.type === "unpacking" && e.outcome === "warning",
    );
    expect(warnings.map((e) => e.outcomeDetail)).toEqual(["not extracted: nesting depth limit 1 reached"]);
  });

  it("takes a file identified as something else for no package, on disk or not, without looking at it", async () => {
    const state = await unitWith(
      { "objects/notes.txt": "plain text\n", "objects/a.zip": "not a zip either\n" },
      { delete_packages_after_extraction: true },
    );
    await state.run(identifyFileFormat, state.listFiles());
    expect(state.listFiles().find((f) => f.path === "objects/notes.txt")!.puid).toBe("x-fmt/111");
    // Gone from disk, as a package deleted after extraction by a run that crashed would be: a text
    // file is still no package, and nothing is there to be looked at.
    await rm(path.join(state.unitPath, "objects", "notes.txt"));
    const { outcome } = await state.run(extractPackages, [], { apply: false });
    expect(outcome.exitCode).toBe(0);
    expect(outcome.output).toMatchObject({ extracted: 0 });
    expect(outcome.events ?? []).toEqual([]);
  });
});

describe("change-filenames", () => {
  it("renames unsafe names on disk and in the records, keeps the original, and a rerun finishes the same plan", async () => {
    const state = await unitWith({ "objects/bad|dir/-x?.txt": "x\n", "objects/fine.txt": "fine\n" });
    const first = await state.run(changeFilenames, [], { apply: false });
    const rerun = await state.run(changeFilenames, [], { apply: false }); // disk renamed, records not yet
    expect(comparable(rerun.outcome)).toEqual(comparable(first.outcome));
    state.apply(first.outcome);
    const moved = state.listFiles().find((f) => f.originalPath === "bad|dir/-x?.txt")!;
    expect(moved.path).toBe("objects/bad_dir/_x_.txt");
    expect(await readFile(path.join(state.unitPath, moved.path), "utf8")).toBe("x\n");
    await expect(stat(path.join(state.unitPath, "objects", "bad|dir"))).rejects.toThrow();
    expect([...state.events.values()].filter((e) => e.type === "filename change")).toHaveLength(1);
    expect((await state.run(changeFilenames)).outcome.output).toMatchObject({ renamed: 0 });
  });
});

describe("identify-file-format", () => {
  it("records PUID, format and MIME with a format identification event; the same twice", async () => {
    const state = await unitWith({ "objects/table.csv": "a,b\n1,2\n", "objects/x.pdf": "%PDF-1.4\n%%EOF\n" });
    const first = await state.run(identifyFileFormat, state.listFiles(), { apply: false });
    const second = await state.run(identifyFileFormat, state.listFiles(), { apply: false });
    expect(comparable(second.outcome)).toEqual(comparable(first.outcome));
    const pdf = first.outcome.fileUpdates!.find((u) => u.puid?.startsWith("fmt/"));
    expect(pdf?.mime).toBe("application/pdf");
    expect(first.outcome.events!.every((e) => e.type === "format identification")).toBe(true);
    // No signature file configured: the shipped official PRONOM files, named with their versions.
    expect(first.outcome.events![0]!.detail).toBe(
      'program="stepmatica-identify"; version="2.0.0"; signatures="DROID_SignatureFile_V119.xml v119 (2024-07-08); container-signature-20240715.xml v38 (2024-07-15)"',
    );
    expect(first.outcome.fileUpdates!.map((u) => u.puid).sort()).toEqual(["fmt/18", "x-fmt/18"]);
  });
});

describe("verify-bag and verify-transfer-checksums", () => {
  it("a valid bag is restructured once (a rerun changes nothing) and its manifests give fixity events", async () => {
    const unitPath = path.join(root, "unit");
    await put(path.join(unitPath, "objects", "data", "a.txt"), "payload\n");
    await writeBag(path.join(unitPath, "objects"), { algorithms: ["sha256"] });
    await mkdir(path.join(unitPath, "metadata"));
    const state = new UnitState(unitPath);
    const first = await state.run(verifyBag);
    const second = await state.run(verifyBag);
    expect([first.outcome.exitCode, second.outcome.exitCode]).toEqual([0, 0]);
    expect(await readFile(path.join(unitPath, "objects", "a.txt"), "utf8")).toBe("payload\n");
    expect(await readFile(path.join(unitPath, "logs", "bagit", "manifest-sha256.txt"), "utf8")).toContain(
      "data/a.txt",
    );
    await state.run(assignFileUuids);
    const verified = await state.run(verifyTransferChecksums, [], { apply: false });
    const again = await state.run(verifyTransferChecksums, [], { apply: false });
    expect(comparable(again.outcome)).toEqual(comparable(verified.outcome));
    expect(verified.outcome.exitCode).toBe(0);
    expect(verified.outcome.events!.map((e) => [e.type, e.outcome])).toEqual([["fixity check", "success"]]);
  });

  it("an invalid bag is refused naming the file, the same on every run", async () => {
    const unitPath = path.join(root, "unit");
    await put(path.join(unitPath, "objects", "data", "a.txt"), "payload\n");
    await writeBag(path.join(unitPath, "objects"), { algorithms: ["sha256"] });
    await put(path.join(unitPath, "objects", "data", "a.txt"), "tampered\n");
    const state = new UnitState(unitPath);
    const first = await state.run(verifyBag);
    const second = await state.run(verifyBag);
    expect(first.outcome.exitCode).toBe(1);
    expect(first.stderr.join("\n")).toContain("data/a.txt");
    expect(second.stderr).toEqual(first.stderr);
  });
});

describe("verify-transfer-compliance", () => {
  it("names every entry that is not a file or folder, in walk order, across pages of checks", async () => {
    const unitPath = path.join(root, "unit");
    const files: Record<string, string> = {};
    for (let i = 0; i < 2100; i++) files[`objects/f${String(i).padStart(4, "0")}.txt`] = `${i}\n`;
    for (const [rel, body] of Object.entries(files)) await put(path.join(unitPath, rel), body);
    await symlink("f0001.txt", path.join(unitPath, "objects", "f0500.link"));
    await symlink("/etc/passwd", path.join(unitPath, "objects", "f2050.link"));
    const state = new UnitState(unitPath);
    const { outcome, stderr } = await state.run(verifyTransferCompliance);
    expect(outcome.exitCode).toBe(1);
    expect(stderr).toEqual([
      "objects/f0500.link: symbolic link not allowed in a transfer",
      "objects/f2050.link: symbolic link not allowed in a transfer",
    ]);
    expect(outcome.output).toEqual({ objects: 2100 });
  });
});

describe("verify-sip-compliance", () => {
  it("names each recorded file missing from the SIP or of another size, in path order", async () => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 300; i++) files[`objects/f${String(i).padStart(3, "0")}.txt`] = `${i}\n`;
    const state = await unitWith(files);
    await state.run(assignChecksums);
    await rm(path.join(state.unitPath, "objects", "f100.txt"));
    await writeFile(path.join(state.unitPath, "objects", "f250.txt"), "longer now\n");
    const { outcome, stderr } = await state.run(verifySipCompliance);
    expect(outcome.exitCode).toBe(1);
    expect(stderr).toEqual([
      "objects/f100.txt: recorded but missing from the SIP",
      "objects/f250.txt: size 11 differs from the recorded 4",
    ]);
  });
});
