import { mkdir, readdir, rm, statfs, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EICAR } from "../../../functions/tools/clamav-databases.ts";
import { scanFiles } from "../../../functions/tools/clamav-scan.ts";
import { roomyMemoryFolder, SHARED_MEMORY_FOLDER } from "../../../functions/tools/memory-folder.ts";
import { tempDir, withoutOfficialClamavDatabases } from "../../helpers/fixtures.ts";

// The real clamscan, with the project's test signature only (an empty folder stands for the official
// databases, so this machine's do not change the answers).
let root: string;
let restoreDatabases: () => void;
beforeAll(async () => {
  root = await tempDir("clamav-scan");
  restoreDatabases = await withoutOfficialClamavDatabases(root);
});
afterAll(async () => {
  restoreDatabases();
  await rm(root, { recursive: true, force: true });
});

/** What clamscan calls the project's test signature (a database of its own is "unofficial"). */
const SIGNATURE = "Stepmatica.Test.EICAR.UNOFFICIAL";

describe("scanFiles", () => {
  it("names that look like ClamAV's answer are answered for the right file", async () => {
    const dir = path.join(root, "deposit");
    await mkdir(dir);
    // Names with the answer's separator, its words and line breaks, clean and infected alike.
    const bodies: Record<string, string> = {
      "plain.txt": "clean\n",
      "plain-eicar.com": EICAR,
      "a: OK.com": EICAR,
      "b: Stepmatica.Test.EICAR FOUND.txt": "clean\n",
      "two\nlines.com": EICAR,
      "two\nlines: OK.txt": "clean\n",
      "ends with colon:": "clean\n",
      empty: "",
    };
    for (const [name, body] of Object.entries(bodies)) await writeFile(path.join(dir, name), body);
    const files = Object.keys(bodies).map((name) => path.join(dir, name));
    // The same file twice gets two answers.
    files.push(path.join(dir, "plain-eicar.com"));
    const scratch = path.join(root, "scratch");
    await mkdir(scratch);

    const report = await scanFiles(files, { scratchDir: scratch });

    const byName = report.results.map((r) => [path.basename(r.file), r.status, r.signature ?? r.message]);
    expect(byName).toEqual([
      ["plain.txt", "clean", undefined],
      ["plain-eicar.com", "infected", SIGNATURE],
      ["a: OK.com", "infected", SIGNATURE],
      ["b: Stepmatica.Test.EICAR FOUND.txt", "clean", undefined],
      ["two\nlines.com", "infected", SIGNATURE],
      ["two\nlines: OK.txt", "clean", undefined],
      ["ends with colon:", "clean", undefined],
      ["empty", "clean", "empty file"],
      ["plain-eicar.com", "infected", SIGNATURE],
    ]);
    // Nothing is left in the scratch folder: the list and the links of odd names are removed.
    expect(await readdir(scratch)).toEqual([]);
  });

  it("fails, naming the folder, when clamscan cannot make its temporary folder (it would answer OK)", async () => {
    const eicar = path.join(root, "unscanned-eicar.com");
    await writeFile(eicar, EICAR);
    const missing = path.join(root, "no-such-temporary-folder");
    await expect(scanFiles([eicar], { temporaryDir: missing })).rejects.toThrow(
      `clamscan could not make its temporary folder in ${missing}, so no file was scanned`,
    );
  });

  it("a file that vanished before the scan is an error naming it, never clean", async () => {
    const present = path.join(root, "present.txt");
    await writeFile(present, "clean\n");
    const gone = path.join(root, "gone.txt");
    const report = await scanFiles([present, gone]);
    expect(report.results[0]).toMatchObject({ file: present, status: "clean" });
    expect(report.results[1]).toMatchObject({ file: gone, status: "error" });
    expect(report.results[1]!.message).toMatch(/No such file|not scanned|Can't access/i);
  });
});

describe("clamscan's folders in memory", () => {
  it("a scan whose memory folder fails runs again on disk and still finds the signature", async () => {
    const eicar = path.join(root, "memory-eicar.com");
    const clean = path.join(root, "memory-clean.txt");
    await writeFile(eicar, EICAR);
    await writeFile(clean, "clean\n");
    // A folder that is not there stands for a memory folder that filled up: clamscan cannot make its
    // folders and (alone) would answer OK for the infected file.
    const report = await scanFiles([eicar, clean], { memoryDir: path.join(root, "no-such-memory-folder") });
    expect(report.results.map((r) => [r.status, r.signature])).toEqual([
      ["infected", SIGNATURE],
      ["clean", undefined],
    ]);
  });

  it("the default scan finds the signature and leaves nothing in /dev/shm", async () => {
    const eicar = path.join(root, "default-eicar.com");
    await writeFile(eicar, EICAR);
    const before: string[] = await readdir(SHARED_MEMORY_FOLDER).catch(() => []);
    const report = await scanFiles([eicar]);
    expect(report.results[0]).toMatchObject({ status: "infected", signature: SIGNATURE });
    const after: string[] = await readdir(SHARED_MEMORY_FOLDER).catch(() => []);
    expect(after.filter((name) => name.startsWith("stepmatica-clamav-") && !before.includes(name))).toEqual(
      [],
    );
  });
});

describe("roomyMemoryFolder", () => {
  it("is /dev/shm on a roomy Linux machine, and never a folder on disk or one short of room", async () => {
    const shm = await statfs(SHARED_MEMORY_FOLDER).catch(() => null);
    const tmpfs = shm !== null && Number(shm.type) === 0x01021994;
    const roomy = tmpfs && Number(shm.bavail) * Number(shm.bsize) >= 2 ** 30 && os.freemem() >= 2 ** 30;
    expect(await roomyMemoryFolder(2 ** 30)).toBe(roomy ? SHARED_MEMORY_FOLDER : null);
    expect(await roomyMemoryFolder(1, root)).toBeNull(); // the test's folder is on disk
    expect(await roomyMemoryFolder(2 ** 60)).toBeNull();
  });
});
