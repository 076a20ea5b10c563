import { randomUUID } from "node:crypto";
import { mkdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import {
  familyOf,
  type NormalizationPurpose,
  type NormalizationRule,
} from "../../workflows/format-policy.ts";
import { digestFile } from "../core/digest.ts";
import type { EventRecord, FileRecord } from "../core/model.ts";
import type { TaskContext, TaskModule } from "../core/task-module.ts";
import { closeExifTool, readExifTags } from "../preservation/exiftool.ts";
import { NORMALIZERS } from "../preservation/normalizers.ts";
import { DIP_FOLDER } from "./dip.ts";
import { fileEvent } from "./events.ts";

/** Exit code of a normalize task when some file could not be normalized: a branch, not a failure. */
export const NORMALIZATION_FAILED_EXIT = 2;

/** `objects/a/b.png` → `objects/a/b-<uuid>.tif` (preservation) or `DIP/objects/a/b-<uuid>.jpg` (access). */
export function derivativePath(
  source: string,
  id: string,
  rule: NormalizationRule,
  purpose: NormalizationPurpose,
) {
  const dir = path.posix.dirname(source);
  const base = path.posix.basename(source);
  const dot = base.lastIndexOf(".");
  const stem = dot > 0 ? base.slice(0, dot) : base;
  const name = `${stem}-${id}.${rule.extension}`;
  const rel = dir === "." ? name : `${dir}/${name}`;
  return purpose === "access" ? `${DIP_FOLDER}/${rel}` : rel;
}

/**
 * Normalize for preservation or access (the task's argument), per the format policy: each original
 * whose format has a rule gets a derivative beside it (access: under DIP/), written to a temporary
 * name and renamed, recorded as a new file (derivedFrom = the original) with "normalization" on the
 * original and "creation" + "message digest calculation" on the derivative. A failed normalization
 * keeps the original, records a failed "normalization" event and the tool's stderr, and ends the
 * task with exit code 2, which the workflow treats as a branch to the same next job (as
 * Archivematica, a failed normalization does not fail the SIP).
 */
export const normalize: TaskModule = {
  name: "normalize",
  command: "normalize preservation|access (sharp, ffmpeg, Ghostscript)",
  dispose: closeExifTool,
  async run(ctx) {
    const purpose: NormalizationPurpose = ctx.task.arguments[0] === "access" ? "access" : "preservation";
    const newFiles: FileRecord[] = [];
    const events: EventRecord[] = [];
    let failed = 0;
    let skipped = 0;
    const manual = await manuallyNormalized(ctx, purpose);
    for (const file of ctx.files) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      const rule = familyOf(file)?.family[purpose] ?? null;
      if (manual.has(file.id)) {
        ctx.stdout(`${file.path}: ${purpose} copy supplied by the depositor (manualNormalization/)`);
        skipped += 1;
        continue;
      }
      if (!rule) {
        skipped += 1;
        continue;
      }
      const made = await normalizeOne(ctx, file, rule, purpose);
      for (const item of made.events) events.push(item);
      if (made.derivative) newFiles.push(made.derivative);
      else failed += 1;
    }
    ctx.stdout(
      `${purpose}: ${newFiles.length} derivative(s) made, ${failed} failed, ${skipped} file(s) without a ${purpose} rule`,
    );
    return { exitCode: failed > 0 ? NORMALIZATION_FAILED_EXIT : 0, newFiles, events };
  },
};

/**
 * The batch's originals whose copy for `purpose` the depositor supplied: manual-normalization
 * recorded a "normalization" event (program="manual") on each. Only the batch's events are read.
 */
async function manuallyNormalized(ctx: TaskContext, purpose: NormalizationPurpose): Promise<Set<string>> {
  const manual = new Set<string>();
  if (ctx.files.length === 0) return manual;
  const events = await ctx.store.eventsOfFiles(
    ctx.files.map((f) => f.id),
    [ctx.unit.id],
  );
  const detail = `program="manual"; purpose="${purpose}";`;
  for (const e of events)
    if (e.fileId && e.type === "normalization" && e.outcome === "success" && e.detail.startsWith(detail))
      manual.add(e.fileId);
  return manual;
}

async function normalizeOne(
  ctx: TaskContext,
  file: FileRecord,
  rule: NormalizationRule,
  purpose: NormalizationPurpose,
): Promise<{ derivative: FileRecord | null; events: EventRecord[] }> {
  const normalizer = NORMALIZERS[rule.command];
  const id = ctx.ids.uuid(`derivative:${purpose}:${file.id}`);
  const rel = derivativePath(file.path, id, rule, purpose);
  const target = path.join(ctx.unitPath, ...rel.split("/"));
  const temp = path.join(path.dirname(target), `.partial-${randomUUID()}.${rule.extension}`);
  const detail = `program="${normalizer.program}"; version="${await normalizer.version()}"; command="${normalizer.describe}"; purpose="${purpose}"`;
  try {
    await mkdir(path.dirname(target), { recursive: true });
    await normalizer.run(path.join(ctx.unitPath, ...file.path.split("/")), temp, {
      signal: ctx.signal,
      ...(ctx.unit.options.sourceDateEpoch === undefined
        ? {}
        : { sourceDateEpoch: ctx.unit.options.sourceDateEpoch }),
    });
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    if (ctx.signal.aborted) throw error;
    const reason = (error as Error).message;
    ctx.stderr(`${file.path}: ${purpose} normalization with ${rule.command} failed: ${reason}`);
    const event = fileEvent(ctx, file, "normalization", {
      key: purpose,
      detail,
      outcome: "failure",
      outcomeDetail: reason,
    });
    return { derivative: null, events: [event] };
  }
  const { size, digests } = await digestFile(target, ["sha256"], ctx.signal);
  const characteristics = await readExifTags(target).then(
    (tags) => ({ exiftool: tags }),
    () => null,
  );
  const derivative: FileRecord = {
    id,
    unitId: ctx.unit.id,
    path: rel,
    originalPath: rel,
    size,
    sha256: digests.sha256!,
    group: purpose,
    puid: rule.output.puid,
    formatName: rule.output.format,
    formatVersion: null,
    mime: rule.output.mime,
    derivedFrom: file.id,
    removed: false,
    createdAt: new Date(),
    characteristics,
  };
  ctx.stdout(`${file.path} → ${rel}`);
  return {
    derivative,
    events: [
      fileEvent(ctx, file, "normalization", { key: purpose, detail, outcome: "success", outcomeDetail: rel }),
      fileEvent(ctx, derivative, "creation", {
        detail,
        outcome: "success",
        outcomeDetail: `derived from ${file.path} (${file.id})`,
      }),
      fileEvent(ctx, derivative, "message digest calculation", {
        detail: `program="node:crypto"; version="${process.versions.openssl}"`,
        outcome: "success",
        outcomeDetail: digests.sha256!,
      }),
    ],
  };
}
