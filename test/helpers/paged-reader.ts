import type { EventRecord, FileRecord } from "../../functions/core/model.ts";
import type { StoreReader } from "../../functions/core/task-module.ts";

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
> {
  const byPath = (a: FileRecord, b: FileRecord) =>
    a.path < b.path ? -1 : a.path > b.path ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
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
    async getFiles(ids) {
      const wanted = new Set(ids);
      const all = await lists.listFiles("", { includeRemoved: true });
      return all.filter((f) => wanted.has(f.id)).sort(byPath);
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
