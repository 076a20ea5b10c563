import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EICAR } from "../../../functions/tools/clamav-databases.ts";
import { scanFiles } from "../../../functions/tools/clamav-scan.ts";
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
