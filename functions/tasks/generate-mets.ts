import path from "node:path";
import type { EventRecord, FileRecord } from "../core/model.ts";
import type { TaskContext, TaskModule } from "../core/task-module.ts";
import {
  type DublinCoreEntry,
  type MetsInput,
  MetsInputError,
  type MetsPages,
  writeMetsPaged,
} from "../mets/index.ts";
import {
  readTransferMetadata,
  type TargetResolver,
  TransferMetadataError,
  targetResolver,
} from "../transfer-metadata/index.ts";
import { writeFileStreamAtomic } from "./atomic-write.ts";
import { MetadataCsvError, readMetadataCsv } from "./metadata-csv.ts";

/** Where each kind of METS is written, relative to the unit's folder. */
export function metsPathOf(kind: "transfer" | "aip", unitId: string): string {
  return kind === "aip" ? `METS.${unitId}.xml` : `logs/transfer-METS.${unitId}.xml`;
}

/** The units whose events go in the METS: a SIP's files were described while they were a transfer. */
function unitsOf(ctx: TaskContext): string[] {
  return ctx.unit.parentId ? [ctx.unit.id, ctx.unit.parentId] : [ctx.unit.id];
}

/** A page of files' records and events for the METS: that many files' tool output and events at a time. */
export const METS_PAGE_FILES = 500;

/** The unit's files without their tool output (read again a page at a time while writing). */
async function fileOutlines(ctx: TaskContext): Promise<FileRecord[]> {
  const files: FileRecord[] = [];
  for await (const page of ctx.store.filePages(ctx.unit.id, { withoutCharacteristics: true }))
    for (const file of page) if (file.group !== "access") files.push(file);
  return files;
}

/** The metadata.csv of the unit, as Dublin Core entries (its path differs in a transfer and a SIP). */
async function dublinCoreOf(
  ctx: TaskContext,
  files: FileRecord[],
  resolve: TargetResolver,
): Promise<DublinCoreEntry[]> {
  const csv = files.find((f) => /^(objects\/)?metadata\/metadata\.csv$/.test(f.path) && !f.removed);
  if (!csv) return [];
  const read = await readMetadataCsv(path.join(ctx.unitPath, ...csv.path.split("/")), csv.path);
  if (!read) return [];
  if (read.other.length > 0)
    ctx.stdout(`${csv.path}: not Dublin Core, written to an OTHER dmdSec: ${read.other.join(", ")}`);
  // Rows name files as the depositor did; "Clean up names" may have renamed them since.
  return read.entries.map((entry) => ({ ...entry, target: resolve(entry.target, csv.path) }));
}

/**
 * Writes the METS 1.12.1 document with PREMIS 3 objects, events and agents for every file of the
 * unit: the transfer METS (kept in logs/) or the AIP METS (data/METS.<uuid>.xml in the AIP), with a
 * Dublin Core dmdSec per row of metadata/metadata.csv. Access copies go to the DIP, not the AIP, so
 * the AIP METS leaves them (and their events) out.
 */
export const generateMets: TaskModule = {
  name: "generate-mets",
  command: "generate-mets transfer|aip",
  async run(ctx) {
    const kind = ctx.task.arguments[0] === "aip" ? "aip" : "transfer";
    // Outlines of every file (for the fileSec and structMap); tool output and events come per page.
    const files = await fileOutlines(ctx);
    const units = unitsOf(ctx);
    const unitEvents: EventRecord[] = [];
    for (const unit of units) unitEvents.push(...(await ctx.store.unitLevelEvents(unit)));
    const rel = metsPathOf(kind, ctx.unit.id);
    let characters = 0;
    try {
      const resolve = targetResolver(files);
      const transferMetadata = await readTransferMetadata(ctx.unitPath, ctx.unit.id, files);
      if (transferMetadata.read.length > 0) ctx.stdout(`read ${transferMetadata.read.join(", ")}`);
      const imported = transferMetadata.provenance.events;
      const importedByFile = new Map<string, EventRecord[]>();
      const fileIds = new Set(files.map((f) => f.id));
      for (const event of imported) {
        if (event.fileId === null) continue;
        if (!fileIds.has(event.fileId))
          throw new MetsInputError(
            `event ${event.id} (${event.type}) is about file ${event.fileId}, not in files`,
          );
        importedByFile.set(event.fileId, [...(importedByFile.get(event.fileId) ?? []), event]);
      }
      const pages: MetsPages = {
        pageSize: METS_PAGE_FILES,
        recordsOf: (ids) => ctx.store.getFiles(ids),
        eventsOf: async (ids) => {
          const events = await ctx.store.eventsOfFiles(ids, units);
          for (const id of ids) events.push(...(importedByFile.get(id) ?? []));
          return events;
        },
      };
      const input = {
        kind,
        objectId: ctx.unit.id,
        name: ctx.unit.name,
        createdAt: ctx.clock.now(),
        files: files.map((file) => ({ file, href: file.path })),
        // Events and agents recorded before the transfer (metadata/premis.xml) sit beside ours.
        events: unitEvents.concat(imported.filter((e) => e.fileId === null)),
        agents: [
          ...ctx.agents,
          ...transferMetadata.provenance.agents.filter((a) => !ctx.agents.some((own) => own.id === a.id)),
        ],
        dublinCore: [...(await dublinCoreOf(ctx, files, resolve)), ...transferMetadata.dublinCore],
        archival: transferMetadata.archival,
        ...(ctx.unit.options.externalIdentifier
          ? { externalIdentifier: ctx.unit.options.externalIdentifier }
          : {}),
      } satisfies MetsInput;
      // Streamed to disk: a 10,000-file METS is over 100 MB of text, never held whole in memory; the
      // files' tool output and events are read a page at a time as their sections are written.
      const target = path.join(ctx.unitPath, ...rel.split("/"));
      characters = await writeFileStreamAtomic(target, (sink) => writeMetsPaged(input, pages, sink));
    } catch (error) {
      const known = [MetadataCsvError, MetsInputError, TransferMetadataError];
      if (!known.some((kind) => error instanceof kind)) throw error;
      ctx.stderr(`generate-mets ${kind}: ${(error as Error).message}`);
      return { exitCode: 1 };
    }
    ctx.stdout(`wrote ${rel}: ${files.length} file(s), ${characters} characters`);
    return { exitCode: 0 };
  },
};
