import { createHash, randomUUID } from "node:crypto";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PAGE_ROWS } from "../../../functions/core/store/task-store.ts";
import type { StoreReader, TaskModule } from "../../../functions/core/task-module.ts";
import { assignFileUuids } from "../../../functions/tasks/assign-file-uuids.ts";
import { changeFilenames } from "../../../functions/tasks/change-filenames.ts";
import { completeTransfer } from "../../../functions/tasks/complete-transfer.ts";
import { moveDip } from "../../../functions/tasks/dip.ts";
import { extractPackages } from "../../../functions/tasks/extract-packages.ts";
import { generateMetsTask, metsPathOf } from "../../../functions/tasks/generate-mets.ts";
import { manualNormalization } from "../../../functions/tasks/manual-normalization.ts";
import { normalize } from "../../../functions/tasks/normalize.ts";
import { prepareAip } from "../../../functions/tasks/prepare-aip.ts";
import { verifySipCompliance } from "../../../functions/tasks/verify-sip-compliance.ts";
import { verifyTransferChecksums } from "../../../functions/tasks/verify-transfer-checksums.ts";
import { tempDir } from "../../helpers/fixtures.ts";
import { rawZip } from "../archives/fixtures.ts";
import { UnitState } from "./context.ts";

/** More files than a page: a task that asked for the whole unit at once would get them all back. */
const FILES = PAGE_ROWS + 150;

/** Reads about the files they are given (ids or paths): their size is the size of that list. */
const ASKED_BY_LIST = new Set([
  "getFiles",
  "filesAtPaths",
  "eventsOfFiles",
  "derivativesOf",
  "foldersAmong",
  "originalsNamedBy",
]);

/**
 * A store that counts how large each read is: the files asked about (for a read by ids or paths,
 * whose answer holds their events too), else the rows of the answer or of each page of an iterator.
 * Issue 16: no read a task makes may be larger than a page, whatever the unit's size.
 */
function countingStore(largest: Map<string, number>): (store: StoreReader) => StoreReader {
  const note = (method: string, rows: number) =>
    largest.set(method, Math.max(largest.get(method) ?? 0, rows));
  return (store) =>
    new Proxy(store, {
      get(target, key: string) {
        const original = Reflect.get(target, key) as unknown;
        if (typeof original !== "function") return original;
        return (...args: unknown[]) => {
          const answer = (original as (...a: unknown[]) => unknown).apply(target, args);
          if (ASKED_BY_LIST.has(key)) {
            note(key, (args.find(Array.isArray) as unknown[]).length);
            return answer;
          }
          if (answer && typeof (answer as AsyncIterable<unknown>)[Symbol.asyncIterator] === "function")
            return (async function* () {
              for await (const page of answer as AsyncIterable<unknown[]>) {
                note(key, page.length);
                yield page;
              }
            })();
          return (answer as Promise<unknown>).then((value) => {
            if (Array.isArray(value)) note(key, value.length);
            return value;
          });
        };
      },
    });
}

let root: string;
let state: UnitState;
const largest = new Map<string, number>();
const run = (module: TaskModule, files: Parameters<UnitState["run"]>[1] = [], args: string[] = []) =>
  state.run(module, files, { wrapStore: countingStore(largest), workRoot: root, args });

beforeAll(async () => {
  root = await tempDir("paged-reads");
  const unitPath = path.join(root, "unit");
  const lines: string[] = [];
  for (let i = 0; i < FILES; i++) {
    const rel = `objects/folder${i % 7}/file${String(i).padStart(5, "0")}.txt`;
    const body = `file ${i}\n`;
    await mkdir(path.dirname(path.join(unitPath, rel)), { recursive: true });
    await writeFile(path.join(unitPath, rel), body);
    lines.push(`${createHash("sha256").update(body).digest("hex")}  ${rel.slice("objects/".length)}`);
  }
  // A name to clean, a package to open and a supplied checksum file for every file.
  await writeFile(path.join(unitPath, "objects", "folder1", "bad:name.txt"), "x");
  await writeFile(
    path.join(unitPath, "objects", "package.zip"),
    rawZip([{ name: "inside.txt", data: Buffer.from("inside"), method: 0 }]),
  );
  await mkdir(path.join(unitPath, "metadata"), { recursive: true });
  await writeFile(path.join(unitPath, "metadata", "checksum.sha256"), `${lines.join("\n")}\n`);
  state = new UnitState(unitPath, { dip: true });
}, 120_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("tasks read a unit's files and events in pages (issue 16)", () => {
  it(`no read of a ${FILES}-file unit returns more than ${PAGE_ROWS} rows`, async () => {
    await run(assignFileUuids);
    expect(state.listFiles().length).toBeGreaterThan(PAGE_ROWS);
    // The tasks did their work on the whole unit, a page at a time.
    expect((await run(verifyTransferChecksums)).outcome.output).toEqual({ verified: FILES });
    expect((await run(extractPackages)).outcome.output).toMatchObject({ extracted: 1 });
    await run(assignFileUuids);
    expect((await run(changeFilenames)).outcome.output).toEqual({ renamed: 1 });
    await run(completeTransfer);
    await run(verifySipCompliance);
    await run(manualNormalization);
    await run(normalize, state.listFiles().slice(0, PAGE_ROWS));
    // move-dip copies the originals and the AIP METS; a METS stands in for generate-mets'.
    await writeFile(path.join(state.unitPath, metsPathOf("aip", state.unit.id)), "<mets/>");
    await run(moveDip);
    await run(prepareAip);

    expect([...largest.keys()]).toEqual(
      expect.arrayContaining(["filePages", "filesAtPaths", "eventsOfFiles"]),
    );
    const tooLarge = [...largest].filter(([, rows]) => rows > PAGE_ROWS);
    expect(tooLarge).toEqual([]);
    // The reads were full pages: the unit was read, a page at a time.
    expect(largest.get("filePages")).toBe(PAGE_ROWS);
  }, 120_000);

  it("generate-mets reads no more than its page of files at a time, in every order the METS needs", async () => {
    largest.clear();
    // A page far smaller than the unit: a read of the whole unit (or of its outlines) would show.
    const pageFiles = 100;
    const generate = generateMetsTask({ pageFiles });
    // Labels name a folder and a file: looked up by name, not found in a list of every path.
    const labels = "metadata/file_labels.csv";
    await mkdir(path.join(state.unitPath, "metadata"), { recursive: true });
    await writeFile(
      path.join(state.unitPath, labels),
      "filename,label\nobjects/folder3,Folder three\nobjects/folder1/file00001.txt,First\n",
    );
    const template = state.listFiles()[0]!;
    const id = randomUUID();
    state.files.set(id, { ...template, id, path: labels, originalPath: labels, group: "metadata" });
    for (const kind of ["transfer", "aip"]) {
      const { outcome, stdout, stderr } = await run(generate, [], [kind]);
      expect(stderr).toEqual([]);
      expect(outcome.exitCode).toBe(0);
      // Every file but the access copies (which go to the DIP), removed ones too.
      const described = [...state.files.values()].filter((f) => f.group !== "access").length;
      expect(described).toBeGreaterThan(PAGE_ROWS);
      expect(stdout.join("\n")).toContain(`: ${described} file(s)`);
    }
    const mets = await readFile(path.join(state.unitPath, metsPathOf("aip", state.unit.id)), "utf8");
    expect(mets).toContain('LABEL="Folder three"');
    expect(mets).toContain('LABEL="First"');
    expect(mets).toContain("is source of");
    expect([...largest.keys()]).toEqual(
      expect.arrayContaining([
        "rankedFilePage",
        "treeFilePage",
        "getFiles",
        "eventsOfFiles",
        "originalsNamedBy",
      ]),
    );
    expect([...largest].filter(([, rows]) => rows > pageFiles)).toEqual([]);
    expect(largest.get("rankedFilePage")).toBe(pageFiles);
    expect(largest.get("treeFilePage")).toBe(pageFiles);
  }, 120_000);
});
