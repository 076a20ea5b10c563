/**
 * Names in metadata files resolved by looking them up in the store a page at a time
 * (namedTargetResolver) resolve as targetResolver over every file of the unit does, and are
 * refused with the same message.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PgliteSql } from "../../../functions/adapters/sql/pglite.ts";
import type { FileRecord } from "../../../functions/core/model.ts";
import { TaskStore } from "../../../functions/core/store/task-store.ts";
import {
  namedTargetResolver,
  type TargetResolver,
  targetResolver,
} from "../../../functions/transfer-metadata/targets.ts";
import { fileFixture, unitFixture } from "../../contract/suites/sql.ts";

const unit = unitFixture();
const moved = (path: string, originalPath: string) => fileFixture(unit.id, path, { originalPath });
const original = fileFixture(unit.id, "objects/letters/minutes.txt");
const FILES: FileRecord[] = [
  original,
  // "Clean up names" renamed a folder and a file.
  moved("objects/old_dir/b_c.txt", "old dir/b c.txt"),
  moved("objects/old_dir/deeper/x.txt", "old dir/deeper/x.txt"),
  // A file whose new name is another file's old one.
  moved("objects/swap/a.txt", "swap/b.txt"),
  moved("objects/swap/b.txt", "swap/c.txt"),
  fileFixture(unit.id, "objects/letters/gone.txt", { removed: true }),
  fileFixture(unit.id, "objects/letters/minutes.tif", { group: "preservation", derivedFrom: original.id }),
  fileFixture(unit.id, "metadata/metadata.csv", { group: "metadata" }),
  fileFixture(unit.id, "objects/a-c/x.txt"),
  fileFixture(unit.id, "objects/a/y.txt"),
];
const NAMES = [
  "objects",
  "objects/",
  "./objects/letters/minutes.txt",
  "letters",
  "letters/",
  "objects/letters/minutes.txt",
  "old dir/b c.txt",
  "objects/old dir",
  "old dir/deeper",
  "objects/old_dir/b_c.txt",
  "swap/b.txt",
  "swap/c.txt",
  "swap",
  "a",
  "a-c",
  "letters/gone.txt",
  "letters/minutes.tif",
  "metadata/metadata.csv",
  "nowhere",
  " letters/minutes.txt ",
];

let sql: PgliteSql;
let store: TaskStore;

beforeAll(async () => {
  sql = await PgliteSql.open();
  store = new TaskStore(sql);
  await store.migrate();
  await store.createUnit(unit);
  await store.upsertFiles(FILES);
});

afterAll(async () => {
  await sql.close();
});

const outcome = (resolve: TargetResolver, name: string) => {
  try {
    return resolve(name, "metadata/x.csv line 2");
  } catch (error) {
    return `refused: ${(error as Error).message}`;
  }
};

describe("namedTargetResolver", () => {
  it("resolves each name as targetResolver over every file does, a page of names at a time", async () => {
    const everyFile = targetResolver(await store.listFiles(unit.id, { includeRemoved: true }));
    const expected = NAMES.map((name) => outcome(everyFile, name));
    // The same key from two files: the later file (by path) wins, as in targetResolver's Map.
    expect(expected[NAMES.indexOf("swap/b.txt")]).toBe("objects/swap/b.txt");
    expect(expected[NAMES.indexOf("objects/old dir")]).toBe("objects/old_dir");
    // A removed file, a derivative, a file outside objects/, and no file at all.
    expect(expected.filter((o) => o.startsWith("refused"))).toHaveLength(4);
    for (const pageSize of [1, 3, 100]) {
      const asked: number[] = [];
      const named = await namedTargetResolver(
        NAMES,
        (keys) => {
          asked.push(keys.length);
          return store.originalsNamedBy(unit.id, keys);
        },
        pageSize,
      );
      expect(NAMES.map((name) => outcome(named, name))).toEqual(expected);
      expect(Math.max(...asked)).toBeLessThanOrEqual(pageSize);
    }
  });
});
