import path from "node:path";
import type { EventRecord, FileRecord } from "../core/model.ts";
import type { TaskContext, TaskModule } from "../core/task-module.ts";
import { type DublinCoreEntry, type MetsInput, MetsInputError, writeMets } from "../mets/index.ts";
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

async function eventsOf(ctx: TaskContext): Promise<EventRecord[]> {
  const events = await ctx.store.listEvents(ctx.unit.id);
  // A SIP's files were described while they were a transfer: their events belong in the AIP too.
  // concat, not push(...): a 50,000-file transfer has hundreds of thousands of events (stack limit).
  if (ctx.unit.parentId) return events.concat(await ctx.store.listEvents(ctx.unit.parentId));
  return events;
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
    const files = (await ctx.store.listFiles(ctx.unit.id)).filter((f) => f.group !== "access");
    const included = new Set(files.map((f) => f.id));
    const events = (await eventsOf(ctx)).filter((e) => e.fileId === null || included.has(e.fileId));
    const rel = metsPathOf(kind, ctx.unit.id);
    let characters = 0;
    try {
      const resolve = targetResolver(files);
      const transferMetadata = await readTransferMetadata(ctx.unitPath, ctx.unit.id, files);
      if (transferMetadata.read.length > 0) ctx.stdout(`read ${transferMetadata.read.join(", ")}`);
      const input = {
        kind,
        objectId: ctx.unit.id,
        name: ctx.unit.name,
        createdAt: ctx.clock.now(),
        files: files.map((file) => ({ file, href: file.path })),
        // Events and agents recorded before the transfer (metadata/premis.xml) sit beside ours.
        events: events.concat(transferMetadata.provenance.events),
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
      // Streamed to disk: a 10,000-file METS is over 100 MB of text, never held whole in memory.
      const target = path.join(ctx.unitPath, ...rel.split("/"));
      characters = await writeFileStreamAtomic(target, (sink) => writeMets(input, sink));
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
