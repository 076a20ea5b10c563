import { randomUUID } from "node:crypto";
import { expect, it } from "vitest";
import type { FileRecord } from "../../../functions/core/model.ts";
import { PAGE_ROWS, type TaskStore } from "../../../functions/core/store/task-store.ts";
import type { MetsFileScope, RankedFile } from "../../../functions/core/task-module.ts";
import { compareCodePoints } from "../../../functions/mets/characteristics.ts";
import { compareTreeOrder } from "../../../functions/mets/source.ts";
import { fileFixture, unitFixture } from "./sql.ts";

/** Names whose orders differ by collation and by tree: " " < "-" < "/" in code points, but a folder comes first. */
const PATHS = [
  "objects/a-c",
  "objects/a/b",
  "objects/a/b/deep.txt",
  "objects/a b",
  "objects/a/z.txt",
  "objects/é.txt",
  "objects/e.txt",
  "objects/Z.txt",
  "objects/z\uFF5E.txt",
  "objects/z\u{1F600}.txt",
  "objects/bell\u0007.txt",
  "objects/tab\there.txt",
  "objects/%41 percent.txt",
  // \u0001 in a name: it sorts after "a" (a prefix) though "a/b..." shares its bytes up to the "b"
  // with a key that would turn "/" into \u0001 alone.
  "objects/a\u0001a",
  "objects/a\u0001/x.txt",
  "logs/x.log",
];

const SCOPE: MetsFileScope = { exceptGroups: ["access"] };
const byCodePoints = (a: FileRecord, b: FileRecord) =>
  compareCodePoints(a.path, b.path) || compareCodePoints(a.id, b.id);

/** The store's METS reads (core/store/mets-reads.ts), run inside sqlContract against every engine. */
export function metsReadsCases(storeOf: () => TaskStore) {
  /** A unit with the PATHS (a/b is a folder and a file: the METS refuses it, the store just pages it). */
  async function unitWithFiles() {
    const store = storeOf();
    const unit = unitFixture();
    const other = unitFixture();
    await store.createUnit(unit);
    await store.createUnit(other);
    const files = PATHS.map((p) => fileFixture(unit.id, p));
    const original = files[0]!;
    const derivative = fileFixture(unit.id, "objects/a-c.tif", {
      group: "preservation",
      derivedFrom: original.id,
    });
    const access = fileFixture(unit.id, "objects/a-c.jpg", { group: "access", derivedFrom: original.id });
    const removed = fileFixture(unit.id, "objects/e.txt", { removed: true });
    const renamed = fileFixture(unit.id, "objects/renamed/b_c.txt", { originalPath: "old dir/b c.txt" });
    const all = [...files, derivative, access, removed, renamed];
    await store.upsertFiles([...all, fileFixture(other.id, "objects/a-c")]);
    return { store, unit, all, original, derivative, access, removed, renamed };
  }

  it("pages a unit's files by path in code points with their ranks, narrowed to a group or the removed ones", async () => {
    const { store, unit, all, removed, derivative } = await unitWithFiles();
    const scoped = all.filter((f) => f.group !== "access").sort(byCodePoints);
    const pages = async (only?: Parameters<TaskStore["rankedFilePage"]>[2]["only"]) => {
      const seen: RankedFile[] = [];
      for (;;) {
        const page = await store.rankedFilePage(unit.id, SCOPE, {
          ...(only ? { only } : {}),
          after: seen.at(-1) ?? null,
          limit: 3,
        });
        expect(page.length).toBeLessThanOrEqual(3);
        seen.push(...page);
        if (page.length < 3) return seen;
      }
    };
    const ranked = await pages();
    expect(ranked.map(({ file }) => file.path)).toEqual(scoped.map((f) => f.path));
    expect(ranked.map(({ rank }) => rank)).toEqual(scoped.map((_, i) => i));
    expect(ranked.every(({ file }) => file.characteristics === null)).toBe(true);
    const rankOf = (f: FileRecord) => scoped.findIndex((s) => s.id === f.id);
    const removedOnes = await pages("removed");
    expect(removedOnes).toEqual([
      { file: expect.objectContaining({ id: removed.id }), rank: rankOf(removed) },
    ]);
    const preservation = await pages({ group: "preservation" });
    expect(preservation.map(({ file, rank }) => [file.id, rank])).toEqual([
      [derivative.id, rankOf(derivative)],
    ]);
    const originals = await pages({ group: "original" });
    const expected = scoped.filter((f) => f.group === "original" && !f.removed);
    expect(originals.map(({ file, rank }) => [file.path, rank])).toEqual(
      expected.map((f) => [f.path, rankOf(f)]),
    );
  });

  it("pages a unit's present files in folder-tree order: path segments compared one by one", async () => {
    const { store, unit, all } = await unitWithFiles();
    const inTree = all
      .filter((f) => f.group !== "access" && !f.removed)
      .sort((a, b) => compareTreeOrder({ file: a, href: a.path }, { file: b, href: b.path }));
    const seen: FileRecord[] = [];
    for (;;) {
      const last = seen.at(-1);
      const page = await store.treeFilePage(unit.id, SCOPE, {
        after: last ? { path: last.path, id: last.id } : null,
        limit: 4,
      });
      seen.push(...page);
      if (page.length < 4) break;
    }
    expect(seen.map((f) => f.path)).toEqual(inTree.map((f) => f.path));
    // The folder a's files come before "a b" and "a-c", though " " and "-" sort before "/".
    const at = (p: string) => seen.findIndex((f) => f.path === p);
    expect(at("objects/a/z.txt")).toBeLessThan(at("objects/a b"));
    expect(at("objects/a b")).toBeLessThan(at("objects/a-c"));
    // No page larger than PAGE_ROWS is served.
    await expect(store.treeFilePage(unit.id, SCOPE, { after: null, limit: PAGE_ROWS + 1 })).rejects.toThrow(
      RangeError,
    );
    await expect(store.rankedFilePage(unit.id, SCOPE, { after: null, limit: 0 })).rejects.toThrow(RangeError);
  });

  it("finds a page's derivatives, which asked paths are folders, and the originals metadata names", async () => {
    const { store, unit, original, derivative, renamed } = await unitWithFiles();
    const derivatives = await store.derivativesOf(unit.id, SCOPE, [original.id, randomUUID()]);
    expect(derivatives.map((f) => f.id)).toEqual([derivative.id]);
    expect(await store.derivativesOf(unit.id, SCOPE, [])).toEqual([]);

    const asked = [
      "objects/a",
      "objects/a/b",
      "objects",
      "objects/a/b/deep.txt",
      "objects/renamed",
      "objects/e",
      "",
    ];
    expect(await store.foldersAmong(unit.id, SCOPE, asked)).toEqual([
      "objects",
      "objects/a",
      "objects/a/b",
      "objects/renamed",
    ]);
    expect(await store.foldersAmong(unit.id, SCOPE, [])).toEqual([]);

    // By original path or path under objects/, and a folder by its first original inside.
    const named = await store.originalsNamedBy(unit.id, [
      "old dir/b c.txt",
      "a-c",
      "a",
      "old dir",
      "nothing",
    ]);
    const paths = named.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(["objects/a-c", renamed.path]));
    expect(paths.filter((p) => p.startsWith("objects/a/"))).toHaveLength(1);
    expect(paths).not.toContain("objects/a-c.tif"); // a derivative is not an original
    expect(named.every((f) => f.characteristics === null)).toBe(true);
    expect(await store.originalsNamedBy(unit.id, [])).toEqual([]);
  });
}
