import path from "node:path";
import { mapLimit } from "../core/concurrency.ts";
import { statFile } from "../core/inline-fs.ts";
import { type EventRecord, type FileGroup, type FileRecord, newFileRecord } from "../core/model.ts";
import type { TaskModule } from "../core/task-module.ts";
import { fileEvent } from "./events.ts";
import { regularFilePages } from "./fs-walk.ts";

/** Paths looked up in the store at once (a page, as the store reads). */
const PATHS_PER_LOOKUP = 2000;
/** Files whose size is read at once. */
const STATS_AT_ONCE = 16;

/** Which fileGrp a path belongs to, by where it sits in the unit (Archivematica's layout). */
export function groupOf(rel: string): FileGroup | null {
  if (rel.startsWith("objects/metadata/submissionDocumentation/")) return "submissionDocumentation";
  if (rel.startsWith("objects/submissionDocumentation/")) return "submissionDocumentation";
  if (rel.startsWith("metadata/submissionDocumentation/")) return "submissionDocumentation";
  if (rel.startsWith("objects/metadata/") || rel.startsWith("metadata/")) return "metadata";
  if (rel.startsWith("objects/")) return "original";
  return null; // logs/ and the unit's own METS are not objects
}

/** The path as the depositor named it, relative to what they handed over. */
export function originalPathOf(rel: string): string {
  return rel.startsWith("objects/") ? rel.slice("objects/".length) : rel;
}

/**
 * Gives every file of the transfer a UUID (derived from the unit and the path, so a rerun or a
 * later pass after package extraction gives known files the same id) and an "ingestion" event.
 * Files already registered keep their record.
 */
export const assignFileUuids: TaskModule = {
  name: "assign-file-uuids",
  command: "assign-file-uuids",
  async run(ctx) {
    const newFiles: FileRecord[] = [];
    const events: EventRecord[] = [];
    let known = 0;
    // The files on disk are walked and asked about a page of paths at a time: neither every path on
    // disk nor every known file is held.
    for await (const page of regularFilePages(
      ctx.unitPath,
      PATHS_PER_LOOKUP,
      (rel) => groupOf(rel) !== null,
    )) {
      const recorded = new Set(
        (
          await ctx.store.filesAtPaths(ctx.unit.id, page, {
            includeRemoved: true,
            withoutCharacteristics: true,
          })
        ).map((f) => f.path),
      );
      known += recorded.size;
      const unknown = page.filter((rel) => !recorded.has(rel));
      // Sizes are asked for together: one stat after another waits out a thread-pool round trip each.
      const sizes = await mapLimit(
        unknown,
        STATS_AT_ONCE,
        async (rel) => (await statFile(path.join(ctx.unitPath, ...rel.split("/")))).size,
      );
      unknown.forEach((rel, i) => {
        const file: FileRecord = newFileRecord({
          id: ctx.ids.uuid(`file:${rel}`),
          unitId: ctx.unit.id,
          path: rel,
          originalPath: originalPathOf(rel),
          size: sizes[i]!,
          group: groupOf(rel)!,
          createdAt: ctx.clock.now(),
        });
        newFiles.push(file);
        events.push(fileEvent(ctx, file, "ingestion", { detail: "", outcome: "success", outcomeDetail: "" }));
      });
    }
    ctx.stdout(`assigned UUIDs to ${newFiles.length} new file(s); ${known} already known`);
    return { exitCode: 0, newFiles, events, output: { newFiles: newFiles.length } };
  },
};
