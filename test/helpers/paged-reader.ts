import type { EventRecord, FileRecord } from "../../functions/core/model.ts";
import type { MetsFileScope, StoreReader } from "../../functions/core/task-module.ts";
import { compareCodePoints } from "../../functions/mets/characteristics.ts";
import { compareTreeOrder } from "../../functions/mets/source.ts";

/** A fake's whole lists, which the paged reads are cut from (tasks themselves never see these). */
export interface FakeLists {
  listFiles(unitId: string, options?: { includeRemoved?: boolean }): Promise<FileRecord[]>;
  listEvents(unitId: string): Promise<EventRecord[]>;
}

/**
 * The paged reads of StoreReader over a fake's own lists (listFiles, listEvents), with the store's
 * order (files by path then id) and filters, for task-context fakes.
 */
export function pagedReads(
  lists: FakeLists,
): Pick<
  StoreReader,
  | "filePages"
  | "countFiles"
  | "filesAtPaths"
  | "getFiles"
  | "eventsOfFiles"
  | "unitLevelEvents"
  | "eventsOfType"
  | "rankedFilePage"
  | "treeFilePage"
  | "derivativesOf"
  | "foldersAmong"
  | "originalsNamedBy"
> {
  const byPath = (a: FileRecord, b: FileRecord) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  const byCodePoints = (a: FileRecord, b: FileRecord) =>
    compareCodePoints(a.path, b.path) || compareCodePoints(a.id, b.id);
  const outlineIf = (outline: boolean | undefined) => (f: FileRecord) =>
    outline ? { ...f, characteristics: null } : f;
  /** The scope's files (removed ones too), as the store's METS reads see them: outlines. */
  const inScope = async (unitId: string, scope: MetsFileScope) =>
    (await lists.listFiles(unitId, { includeRemoved: true }))
      .filter((f) => !scope.exceptGroups.includes(f.group))
      .map(outlineIf(true));
  const byTime = (a: EventRecord, b: EventRecord) =>
    a.dateTime.getTime() - b.dateTime.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return {
    async *filePages(unitId, options = {}) {
      const all = (await lists.listFiles(unitId, { includeRemoved: options.includeRemoved ?? false }))
        .filter((f) => options.pathPrefix === undefined || f.path.startsWith(options.pathPrefix))
        .filter((f) => !options.withoutChecksum || f.sha256 === null)
        .sort(byPath)
        .map((f) => (options.withoutCharacteristics ? { ...f, characteristics: null } : f));
      const size = options.pageSize ?? 2000;
      for (let i = 0; i < all.length; i += size) yield all.slice(i, i + size);
    },
    async countFiles(unitId, options = {}) {
      return (await lists.listFiles(unitId, { includeRemoved: options.includeRemoved ?? false })).length;
    },
    async filesAtPaths(unitId, paths, options = {}) {
      const wanted = new Set(paths);
      const all = await lists.listFiles(unitId, { includeRemoved: options.includeRemoved ?? false });
      return all
        .filter((f) => wanted.has(f.path))
        .sort(byPath)
        .map((f) => (options.withoutCharacteristics ? { ...f, characteristics: null } : f));
    },
    async getFiles(ids, options = {}) {
      const wanted = new Set(ids);
      const all = await lists.listFiles("", { includeRemoved: true });
      return all
        .filter((f) => wanted.has(f.id))
        .sort(byPath)
        .map(outlineIf(options.withoutCharacteristics));
    },
    async rankedFilePage(unitId, scope, { only, after, limit }) {
      const ranked = (await inScope(unitId, scope)).sort(byCodePoints).map((file, rank) => ({ file, rank }));
      return ranked
        .slice(after ? after.rank + 1 : 0)
        .filter(({ file }) =>
          only === undefined
            ? true
            : only === "removed"
              ? file.removed
              : !file.removed && file.group === only.group,
        )
        .slice(0, limit);
    },
    async treeFilePage(unitId, scope, { after, limit }) {
      const inTree = (await inScope(unitId, scope))
        .filter((f) => !f.removed)
        .sort((a, b) => compareTreeOrder({ file: a, href: a.path }, { file: b, href: b.path }));
      const start = after ? inTree.findIndex((f) => f.id === after.id) + 1 : 0;
      return inTree.slice(start, start + limit);
    },
    async derivativesOf(unitId, scope, sourceIds) {
      const wanted = new Set(sourceIds);
      return (await inScope(unitId, scope))
        .filter((f) => f.derivedFrom !== null && wanted.has(f.derivedFrom))
        .sort(byCodePoints);
    },
    async foldersAmong(unitId, scope, paths) {
      const present = (await inScope(unitId, scope)).filter((f) => !f.removed);
      return [...new Set(paths)]
        .filter((folder) => present.some((f) => f.path.startsWith(`${folder}/`)))
        .sort(compareCodePoints);
    },
    async originalsNamedBy(unitId, names) {
      const originals = (await lists.listFiles(unitId))
        .filter((f) => !f.removed && f.derivedFrom === null && f.path.startsWith("objects/"))
        .sort(byPath)
        .map(outlineIf(true));
      const underObjects = (f: FileRecord) => f.path.slice("objects/".length);
      const named = (name: string) =>
        originals.filter((f) => f.originalPath === name || underObjects(f) === name);
      const inside = (name: string) =>
        originals.find(
          (f) => f.originalPath.startsWith(`${name}/`) || underObjects(f).startsWith(`${name}/`),
        );
      const found = new Set(
        names.flatMap((name) => (named(name).length > 0 ? named(name) : [inside(name) ?? []].flat())),
      );
      return originals.filter((f) => found.has(f));
    },
    async eventsOfFiles(fileIds, unitIds) {
      const wanted = new Set(fileIds);
      const events: EventRecord[] = [];
      for (const unitId of unitIds) events.push(...(await lists.listEvents(unitId)));
      return events.filter((e) => e.fileId !== null && wanted.has(e.fileId)).sort(byTime);
    },
    async eventsOfType(unitId, type) {
      return (await lists.listEvents(unitId)).filter((e) => e.type === type).sort(byTime);
    },
    async unitLevelEvents(unitId) {
      return (await lists.listEvents(unitId)).filter((e) => e.fileId === null).sort(byTime);
    },
  };
}
