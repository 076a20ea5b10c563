import path from "node:path";
import type { EventRecord } from "../core/model.ts";
import type { TaskContext, TaskModule } from "../core/task-module.ts";
import { buildMets } from "../mets/index.ts";
import { writeFileAtomic } from "./atomic-write.ts";

/** Where each kind of METS is written, relative to the unit's folder. */
export function metsPathOf(kind: "transfer" | "aip", unitId: string): string {
  return kind === "aip" ? `METS.${unitId}.xml` : `logs/transfer-METS.${unitId}.xml`;
}

async function eventsOf(ctx: TaskContext): Promise<EventRecord[]> {
  const events = await ctx.store.listEvents(ctx.unit.id);
  // A SIP's files were described while they were a transfer: their events belong in the AIP too.
  if (ctx.unit.parentId) events.push(...(await ctx.store.listEvents(ctx.unit.parentId)));
  return events;
}

/**
 * Writes the METS 1.12.1 document with PREMIS 3 objects, events and agents for every file of the
 * unit: the transfer METS (kept in logs/) or the AIP METS (data/METS.<uuid>.xml in the AIP).
 */
export const generateMets: TaskModule = {
  name: "generate-mets",
  command: "generate-mets transfer|aip",
  async run(ctx) {
    const kind = ctx.task.arguments[0] === "aip" ? "aip" : "transfer";
    const files = await ctx.store.listFiles(ctx.unit.id);
    const xml = buildMets({
      kind,
      objectId: ctx.unit.id,
      name: ctx.unit.name,
      createdAt: ctx.clock.now(),
      files: files.map((file) => ({ file, href: file.path })),
      events: await eventsOf(ctx),
      agents: ctx.agents,
      ...(ctx.unit.options.externalIdentifier
        ? { externalIdentifier: ctx.unit.options.externalIdentifier }
        : {}),
    });
    const rel = metsPathOf(kind, ctx.unit.id);
    await writeFileAtomic(path.join(ctx.unitPath, ...rel.split("/")), xml);
    ctx.stdout(`wrote ${rel}: ${files.length} file(s), ${xml.length} characters`);
    return { exitCode: 0 };
  },
};
