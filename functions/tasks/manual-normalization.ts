import { mkdir, rename, stat } from "node:fs/promises";
import path from "node:path";
import type { EventRecord, FileRecord } from "../core/model.ts";
import type { TaskModule } from "../core/task-module.ts";
import { DIP_FOLDER } from "./dip.ts";
import { fileEvent } from "./events.ts";

const MANUAL = "objects/manualNormalization/";
type Purpose = "preservation" | "access";

/** "objects/a/b.tif" → "a/b": what a manually normalized copy and its original share. */
function stemOf(rel: string): string {
  const base = path.posix.basename(rel);
  const dot = base.lastIndexOf(".");
  const dir = path.posix.dirname(rel);
  const stem = dot > 0 ? base.slice(0, dot) : base;
  return dir === "." ? stem : `${dir}/${stem}`;
}

/**
 * Archivematica's manual normalization: copies the depositor made, in
 * objects/manualNormalization/preservation/ and …/access/, named as their originals (same folders
 * under objects/, any extension). Each becomes the original's preservation copy (preservation
 * fileGrp, "has source" relationship) or access copy (moved to DIP/), with a "normalization" event
 * on the original saying it was done by hand. A copy that matches no original rejects the SIP,
 * naming it (Archivematica would leave it in the AIP as an unrelated original).
 */
export const manualNormalization: TaskModule = {
  name: "manual-normalization",
  command: "manual-normalization (objects/manualNormalization/preservation|access)",
  async run(ctx) {
    // Two passes over the pages: the supplied copies, then the originals whose stem one of them names.
    const pages = () => ctx.store.filePages(ctx.unit.id, { withoutCharacteristics: true });
    const supplied: FileRecord[] = [];
    // The database picks the supplied copies: a SIP without manualNormalization/ costs one query.
    for await (const page of ctx.store.filePages(ctx.unit.id, {
      withoutCharacteristics: true,
      pathPrefix: MANUAL,
    }))
      for (const f of page) if (f.derivedFrom === null) supplied.push(f);
    if (supplied.length === 0) {
      ctx.stdout("no objects/manualNormalization/: nothing to do");
      return { exitCode: 0 };
    }
    const wanted = new Set(
      supplied.map((copy) => stemOf(copy.path.slice(MANUAL.length).split("/").slice(1).join("/"))),
    );
    const byStem = new Map<string, FileRecord[]>();
    for await (const page of pages())
      for (const f of page) {
        if (!isOriginal(f)) continue;
        const stem = stemOf(f.path.slice("objects/".length));
        if (wanted.has(stem)) byStem.set(stem, [...(byStem.get(stem) ?? []), f]);
      }
    const problems: string[] = [];
    const fileUpdates: Array<Partial<FileRecord> & { id: string }> = [];
    const events: EventRecord[] = [];
    for (const copy of supplied) {
      const [purposeFolder, ...rest] = copy.path.slice(MANUAL.length).split("/");
      if ((purposeFolder !== "preservation" && purposeFolder !== "access") || rest.length === 0) {
        problems.push(`${copy.path}: manualNormalization/ holds only preservation/ and access/ folders`);
        continue;
      }
      const purpose: Purpose = purposeFolder;
      const matches = byStem.get(stemOf(rest.join("/"))) ?? [];
      if (matches.length !== 1) {
        const why = matches.length === 0 ? "no original" : `${matches.length} originals`;
        problems.push(
          `${copy.path}: ${why} named objects/${stemOf(rest.join("/"))}.* to be its ${purpose} copy`,
        );
        continue;
      }
      const original = matches[0]!;
      let target = copy.path;
      if (purpose === "access") {
        target = `${DIP_FOLDER}/${copy.path}`;
        await moveOnce(ctx.unitPath, copy.path, target);
      }
      fileUpdates.push({ id: copy.id, group: purpose, derivedFrom: original.id, path: target });
      events.push(
        fileEvent(ctx, original, "normalization", {
          key: `manual:${purpose}`,
          detail: `program="manual"; purpose="${purpose}"; supplied in objects/manualNormalization/${purpose}/`,
          outcome: "success",
          outcomeDetail: target,
        }),
      );
      ctx.stdout(`${original.path}: ${purpose} copy supplied as ${copy.path}`);
    }
    for (const problem of problems) ctx.stderr(problem);
    if (problems.length > 0) return { exitCode: 1 };
    return { exitCode: 0, fileUpdates, events };
  },
};

/** An original a depositor may supply copies of: not itself a copy, metadata or documentation. */
function isOriginal(f: FileRecord): boolean {
  return (
    !f.removed &&
    f.group === "original" &&
    f.derivedFrom === null &&
    f.path.startsWith("objects/") &&
    !f.path.startsWith(MANUAL) &&
    !f.path.startsWith("objects/metadata/") &&
    !f.path.startsWith("objects/submissionDocumentation/")
  );
}

/** Moves a file unless an earlier run (crashed before recording) already did. */
async function moveOnce(unitPath: string, from: string, to: string): Promise<void> {
  const source = path.join(unitPath, ...from.split("/"));
  const target = path.join(unitPath, ...to.split("/"));
  if (
    await stat(target).then(
      () => true,
      () => false,
    )
  )
    return;
  await mkdir(path.dirname(target), { recursive: true });
  await rename(source, target);
}
