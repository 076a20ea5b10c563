import path from "node:path";
import type { EventRecord } from "../core/model.ts";
import type { TaskContext, TaskModule } from "../core/task-module.ts";
import { type DublinCoreEntry, type MetsHeader, MetsInputError, writeMetsFromSource } from "../mets/index.ts";
import {
  metadataFile,
  namedTargetResolver,
  readTransferMetadata,
  type TransferFileLookup,
  TransferMetadataError,
} from "../transfer-metadata/index.ts";
import { writeFileStreamAtomic } from "./atomic-write.ts";
import { MetadataCsvError, readMetadataCsv } from "./metadata-csv.ts";
import { storeMetsSource, storeTransferFiles } from "./mets-source.ts";
import { SpillFile } from "./spill-file.ts";

/** Where each kind of METS is written, relative to the unit's folder. */
export function metsPathOf(kind: "transfer" | "aip", unitId: string): string {
  return kind === "aip" ? `METS.${unitId}.xml` : `logs/transfer-METS.${unitId}.xml`;
}

/** The units whose events go in the METS: a SIP's files were described while they were a transfer. */
function unitsOf(ctx: TaskContext): string[] {
  return ctx.unit.parentId ? [ctx.unit.id, ctx.unit.parentId] : [ctx.unit.id];
}

/** A page of files for the METS: that many files' records (tool output included) and events at a time. */
export const METS_PAGE_FILES = 500;

/** The metadata.csv of the unit, as Dublin Core entries (its path differs in a transfer and a SIP). */
async function dublinCoreOf(ctx: TaskContext, files: TransferFileLookup): Promise<DublinCoreEntry[]> {
  const csv = await metadataFile(files, "metadata.csv");
  if (!csv) return [];
  const read = await readMetadataCsv(path.join(ctx.unitPath, ...csv.path.split("/")), csv.path);
  if (!read) return [];
  if (read.other.length > 0)
    ctx.stdout(`${csv.path}: not Dublin Core, written to an OTHER dmdSec: ${read.other.join(", ")}`);
  // Rows name files as the depositor did; "Clean up names" may have renamed them since.
  const targets = read.entries.map((entry) => entry.target);
  const resolve = await namedTargetResolver(targets, files.originalsNamedBy, files.pageSize);
  return read.entries.map((entry) => ({ ...entry, target: resolve(entry.target, csv.path) }));
}

/**
 * Writes the METS 1.12.1 document with PREMIS 3 objects, events and agents for every file of the
 * unit: the transfer METS (kept in logs/) or the AIP METS (data/METS.<uuid>.xml in the AIP), with a
 * Dublin Core dmdSec per row of metadata/metadata.csv. Access copies go to the DIP, not the AIP, so
 * the AIP METS leaves them (and their events) out. Files are read from the store a page at a time
 * (`pageFiles`, METS_PAGE_FILES unless a test asks for less), in each order the document needs.
 */
export function generateMetsTask(options: { pageFiles?: number } = {}): TaskModule {
  const pageSize = options.pageFiles ?? METS_PAGE_FILES;
  return {
    name: "generate-mets",
    command: "generate-mets transfer|aip",
    async run(ctx) {
      const kind = ctx.task.arguments[0] === "aip" ? "aip" : "transfer";
      const units = unitsOf(ctx);
      const unitEvents: EventRecord[] = [];
      for (const unit of units) unitEvents.push(...(await ctx.store.unitLevelEvents(unit)));
      const rel = metsPathOf(kind, ctx.unit.id);
      const files = storeTransferFiles(ctx.store, ctx.unit.id, pageSize);
      let characters = 0;
      let described = 0;
      try {
        const transferMetadata = await readTransferMetadata(ctx.unitPath, ctx.unit.id, files);
        if (transferMetadata.read.length > 0) ctx.stdout(`read ${transferMetadata.read.join(", ")}`);
        const imported = transferMetadata.provenance.events;
        // Their files were found at the paths premis.xml names: every one is a file of the METS.
        const importedByFile = new Map<string, EventRecord[]>();
        for (const event of imported) {
          if (event.fileId === null) continue;
          importedByFile.set(event.fileId, [...(importedByFile.get(event.fileId) ?? []), event]);
        }
        const source = storeMetsSource(ctx.store, ctx.unit.id, {
          pageSize,
          eventUnits: units,
          importedEvents: importedByFile,
        });
        const header = {
          kind,
          objectId: ctx.unit.id,
          name: ctx.unit.name,
          createdAt: ctx.clock.now(),
          // Events and agents recorded before the transfer (metadata/premis.xml) sit beside ours.
          events: unitEvents.concat(imported.filter((e) => e.fileId === null)),
          agents: [
            ...ctx.agents,
            ...transferMetadata.provenance.agents.filter((a) => !ctx.agents.some((own) => own.id === a.id)),
          ],
          dublinCore: [...(await dublinCoreOf(ctx, files)), ...transferMetadata.dublinCore],
          archival: transferMetadata.archival,
          ...(ctx.unit.options.externalIdentifier
            ? { externalIdentifier: ctx.unit.options.externalIdentifier }
            : {}),
        } satisfies MetsHeader;
        // Streamed to disk: a 10,000-file METS is over 100 MB of text, never held whole in memory;
        // the files themselves are read a page at a time, in each order the document needs.
        const target = path.join(ctx.unitPath, ...rel.split("/"));
        characters = await writeFileStreamAtomic(target, async (sink) => {
          // The fileSec and structMap are written there while the amdSecs are (MetsSpill).
          const spill = new SpillFile(`${target}.structure.partial`);
          try {
            described = await writeMetsFromSource(header, source, sink, { spill });
          } finally {
            spill.remove();
          }
        });
      } catch (error) {
        const known = [MetadataCsvError, MetsInputError, TransferMetadataError];
        if (!known.some((kind) => error instanceof kind)) throw error;
        ctx.stderr(`generate-mets ${kind}: ${(error as Error).message}`);
        return { exitCode: 1 };
      }
      ctx.stdout(`wrote ${rel}: ${described} file(s), ${characters} characters`);
      return { exitCode: 0 };
    },
  };
}

export const generateMets: TaskModule = generateMetsTask();
