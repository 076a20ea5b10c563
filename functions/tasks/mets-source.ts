/**
 * The METS writer's view of a unit in the store (issue 16): its files a page at a time, in the
 * orders the document needs, and lookups of what a page or the depositor's metadata names. Nothing
 * here lists the unit's files whole. Access copies go to the DIP, not the AIP: the METS leaves them out.
 */
import type { EventRecord, FileRecord } from "../core/model.ts";
import type { MetsFileScope, StoreReader } from "../core/task-module.ts";
import type { MetsFileEntry, MetsFileSource, MetsPages } from "../mets/index.ts";
import type { TransferFileLookup } from "../transfer-metadata/index.ts";

export const METS_SCOPE: MetsFileScope = { exceptGroups: ["access"] };

/** Whether a file's group is one the METS describes (filters what a lookup by id or path found). */
const groupInScope = (file: FileRecord) => !METS_SCOPE.exceptGroups.includes(file.group);

/** In the store a file's href is its path. */
const entryOf = (file: FileRecord): MetsFileEntry => ({ file, href: file.path });

export function storeMetsSource(
  store: StoreReader,
  unitId: string,
  options: {
    pageSize: number;
    /** The units whose events go in the METS (a SIP's files were described as a transfer too). */
    eventUnits: string[];
    /** Events imported from the depositor's metadata/premis.xml, by file id. */
    importedEvents: ReadonlyMap<string, EventRecord[]>;
  },
): MetsFileSource & MetsPages {
  const inScope = (file: FileRecord) => file.unitId === unitId && groupInScope(file);
  return {
    pageSize: options.pageSize,
    async rankedPage(use, after, limit) {
      const only = use === "all" ? undefined : use === "deleted" ? ("removed" as const) : { group: use };
      const page = await store.rankedFilePage(unitId, METS_SCOPE, {
        ...(only ? { only } : {}),
        after: after && { file: after.file, rank: after.rank },
        limit,
      });
      return page.map(({ file, rank }) => ({ ...entryOf(file), rank }));
    },
    async treePage(after, limit) {
      const page = await store.treeFilePage(unitId, METS_SCOPE, {
        after: after && { path: after.file.path, id: after.file.id },
        limit,
      });
      return page.map(entryOf);
    },
    async filesWithIds(ids) {
      return (await store.getFiles(ids, { withoutCharacteristics: true })).filter(inScope).map(entryOf);
    },
    async derivativesOf(sourceIds) {
      return (await store.derivativesOf(unitId, METS_SCOPE, sourceIds)).map(entryOf);
    },
    async presentAt(hrefs) {
      return (await store.filesAtPaths(unitId, hrefs, { withoutCharacteristics: true }))
        .filter(inScope)
        .map(entryOf);
    },
    foldersAmong: (paths) => store.foldersAmong(unitId, METS_SCOPE, paths),
    recordsOf: (ids) => store.getFiles(ids),
    async eventsOf(ids) {
      const events = await store.eventsOfFiles(ids, options.eventUnits);
      for (const id of ids) events.push(...(options.importedEvents.get(id) ?? []));
      return events;
    },
  };
}

/** The unit's files as its transfer metadata files name them (METS_SCOPE's). */
export function storeTransferFiles(store: StoreReader, unitId: string, pageSize: number): TransferFileLookup {
  return {
    pageSize,
    filesAt: async (paths) =>
      (
        await store.filesAtPaths(unitId, paths, { includeRemoved: true, withoutCharacteristics: true })
      ).filter(groupInScope),
    originalsNamedBy: (names) => store.originalsNamedBy(unitId, names),
  };
}
