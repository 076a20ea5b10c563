/**
 * The METS read from the store a page at a time (storeMetsSource over a TaskStore) has the same
 * bytes as the METS built from the same files in memory (buildMets), however small the pages.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PgliteSql } from "../../../functions/adapters/sql/pglite.ts";
import type { EventRecord, FileRecord } from "../../../functions/core/model.ts";
import { TaskStore } from "../../../functions/core/store/task-store.ts";
import {
  buildMets,
  type MetsInput,
  type MetsSpill,
  writeMetsFromSource,
} from "../../../functions/mets/index.ts";
import { storeMetsSource } from "../../../functions/tasks/mets-source.ts";
import { fileFixture, unitFixture } from "../../contract/suites/sql.ts";
import { validateMetsXml } from "../../helpers/xsd.ts";
import { DERIVATIVE_ID, IMAGE_ID, sampleArchival, sampleInput } from "./sample-aip.ts";

const unit = unitFixture();
let sql: PgliteSql;
let store: TaskStore;

/** Files in several folders whose orders differ by tree, by code point and by UTF-16 unit. */
const EXTRA_PATHS = [
  "objects/a/b/c.txt",
  "objects/a/z.txt",
  "objects/a-c/d.txt",
  "objects/a b.txt",
  "objects/50% [draft] #1?.txt",
  "objects/z\uFF5E.txt",
  "objects/z\u{1F600}.txt",
  "objects/bell\u0007 tab\t.txt",
  "logs/transfer.log",
];

/** The sample AIP (a derivative, DC, rights, identifiers, labels, a logical structMap) and more files. */
function unitInput(): MetsInput {
  const sample = { ...sampleInput(), archival: sampleArchival() };
  const mine = (file: FileRecord): FileRecord => ({ ...file, unitId: unit.id });
  const extra = EXTRA_PATHS.map((path) => fileFixture(unit.id, path, { sha256: "b".repeat(64) }));
  // Removed files keep their amdSec: one where a present file now is, one in a folder that is gone.
  const removed = [
    fileFixture(unit.id, "objects/a/b/c.txt", { removed: true }),
    fileFixture(unit.id, "objects/gone/old.txt", { removed: true }),
  ];
  const files = [...sample.files.map(({ file }) => mine(file)), ...extra, ...removed];
  const events = sample.events.map((event): EventRecord => ({ ...event, unitId: unit.id }));
  return {
    ...sample,
    objectId: unit.id,
    files: files.map((file) => ({ file, href: file.path })),
    events,
    dublinCore: [...(sample.dublinCore ?? []), { target: "objects/a", fields: { title: ["Folder a"] } }],
  };
}

/** Made once: the store holds these very records (fileFixture gives random ids). */
const input = unitInput();

beforeAll(async () => {
  sql = await PgliteSql.open();
  store = new TaskStore(sql);
  await store.migrate();
  await store.createUnit(unit);
  // An access copy is in the store, not in the METS (it goes to the DIP).
  const access = fileFixture(unit.id, "objects/photos/access.jpg", {
    group: "access",
    derivedFrom: IMAGE_ID,
  });
  await store.upsertFiles([...input.files.map(({ file }) => file), access]);
  await store.insertEvents(input.events);
});

afterAll(async () => {
  await sql.close();
});

/** A spill held in memory; `used` says whether the writer wrote to it. */
function memorySpill(): MetsSpill & { used: boolean } {
  const chunks: string[] = [];
  return {
    used: false,
    sink(chunk) {
      this.used = true;
      chunks.push(chunk);
    },
    replay: (into) => {
      for (const chunk of chunks) into(chunk);
    },
  };
}

/** Reads of the store under way: a source whose every read is counted while it runs. */
let readsUnderWay = 0;
function counted<T extends object>(source: T): T {
  return new Proxy(source, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const answer = value.apply(target, args);
        if (!(answer instanceof Promise)) return answer;
        readsUnderWay++;
        return answer.finally(() => readsUnderWay--);
      };
    },
  });
}

type StoreSource = ReturnType<typeof storeMetsSource>;

async function fromStore(
  pageSize: number,
  spill?: MetsSpill & { used: boolean },
  alter: (source: StoreSource) => StoreSource = (source) => source,
): Promise<string> {
  const { files: _files, ...header } = input;
  const source = counted(
    alter(
      storeMetsSource(store, unit.id, {
        pageSize,
        eventUnits: [unit.id],
        importedEvents: new Map(),
      }),
    ),
  );
  const chunks: string[] = [];
  try {
    const described = await writeMetsFromSource(
      { ...header, events: header.events.filter((e) => e.fileId === null) },
      source,
      (chunk) => chunks.push(chunk),
      spill ? { spill } : {},
    );
    expect(described).toBe(input.files.length);
  } finally {
    // Done or failed, the writer leaves no read of its own behind (a read ahead is waited for).
    expect(readsUnderWay).toBe(0);
  }
  if (spill) expect(spill.used).toBe(true);
  return chunks.join("");
}

describe("the METS from the store, a page at a time", () => {
  it("has the same bytes as buildMets of the same files, with pages of 1, 2, 3 and 500 files", async () => {
    const inMemory = buildMets(input);
    for (const pageSize of [1, 2, 3, 500]) {
      expect(await fromStore(pageSize)).toBe(inMemory);
      // The fileSec and structMap written apart while the amdSecs are, then copied in.
      expect(await fromStore(pageSize, memorySpill())).toBe(inMemory);
    }
    expect(inMemory).toContain("is source of");
    expect(inMemory).toContain(`ID="file-${DERIVATIVE_ID}"`);
    expect(inMemory).toContain('USE="deleted"');
    expect(inMemory).toContain("50%25%20%5Bdraft%5D%20%231%3F.txt");
    expect(inMemory).toContain('LABEL="Cartoon still"');
    expect(inMemory).not.toContain("access.jpg");
    const result = await validateMetsXml(inMemory);
    expect(result.errors).toEqual([]);
  });

  it("stops at a file without a record, the fileSec and structMap written apart or not", async () => {
    const missing = input.files[3]!.file;
    const withoutOne = (source: StoreSource): StoreSource => ({
      ...source,
      recordsOf: async (ids) => (await source.recordsOf(ids)).filter((r) => r.id !== missing.id),
    });
    for (const spill of [undefined, memorySpill()])
      await expect(fromStore(2, spill, withoutOne)).rejects.toThrow(
        `file ${missing.path} (id ${missing.id}) has no record`,
      );
  });

  it("refuses a file under a path that is a file, and names it", async () => {
    const clash = fileFixture(unit.id, `objects/a/z.txt/${randomUUID()}.txt`);
    await store.upsertFiles([clash]);
    try {
      for (const spill of [undefined, memorySpill()])
        await expect(fromStore(2, spill)).rejects.toThrow(
          `file ${clash.path} lies under objects/a/z.txt, which is a file`,
        );
      expect(() =>
        buildMets({ ...input, files: [...input.files, { file: clash, href: clash.path }] }),
      ).toThrow(`file ${clash.path} lies under objects/a/z.txt, which is a file`);
    } finally {
      await store.updateFiles([{ id: clash.id, removed: true }]);
    }
  });
});
