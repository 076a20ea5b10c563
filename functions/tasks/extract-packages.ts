import { rm } from "node:fs/promises";
import path from "node:path";
import { type ExtractedEntry, extractArchive, isArchiveError } from "../archives/index.ts";
import { mapLimit } from "../core/concurrency.ts";
import { statFile } from "../core/inline-fs.ts";
import type { EventRecord, FileRecord } from "../core/model.ts";
import type { TaskContext, TaskModule, TaskOutcome } from "../core/task-module.ts";
import { groupOf } from "./assign-file-uuids.ts";
import { fileEvent } from "./events.ts";
import { exists, listRegularFiles } from "./fs-walk.ts";
import {
  extractionFolderOf,
  identifiedAsNoPackage,
  nestingDepth,
  packageKind,
  planExtractionFolders,
} from "./package-files.ts";

/** Files looked at (stat, first bytes) at once when looking for packages. */
const LOOK_CONCURRENCY = 16;

interface Outcome {
  newFiles: FileRecord[];
  events: EventRecord[];
  updates: Array<Partial<FileRecord> & { id: string }>;
}

/**
 * Extract packages (repeats for nested packages): every zip, tar(.gz/.bz2/.xz), gz, bz2, xz and 7z
 * not opened yet is extracted safely (functions/archives) into a folder named after it beside it.
 * The extracted files are registered here, derived from their package, so that the workflow's
 * loop back gives them checksums, a virus scan, clean names and a format like any other file;
 * output `extracted` > 0 is that loop's signal. Any refusal (unsafe path, link escape, special
 * file, bomb, corrupt) fails the task naming the package and the entry.
 */
export const extractPackages: TaskModule = {
  name: "extract-packages",
  command: "extract-packages (zip, tar, gz, bz2, xz, 7z)",
  async run(ctx): Promise<TaskOutcome> {
    if (!ctx.config.extract_packages) {
      ctx.stdout("extract_packages=false: packages are kept as they are");
      return { exitCode: 0, output: { extracted: 0 } };
    }
    const maxDepth = Number(ctx.config.extract_packages_depth ?? 5);
    const packages: FileRecord[] = [];
    const out: Outcome = { newFiles: [], events: [], updates: [] };
    for (const file of await packagesToOpen(ctx)) {
      if (nestingDepth(file, await ancestorsOf(ctx, file, maxDepth)) >= maxDepth) {
        ctx.stdout(
          `${file.path}: not extracted: packages nested deeper than ${maxDepth} level(s) stay whole`,
        );
        out.events.push(
          packageEvent(ctx, file, "warning", `not extracted: nesting depth limit ${maxDepth} reached`),
        );
        continue;
      }
      packages.push(file);
    }
    const folders = planExtractionFolders(packages, await takenFolders(ctx, packages));
    let extracted = 0;
    let refused = 0;
    for (const pkg of packages) {
      const ok = await extractOne(ctx, pkg, folders.get(pkg.id)!, out);
      if (ok) extracted += 1;
      else refused += 1;
    }
    ctx.stdout(`extracted ${extracted} package(s), ${out.newFiles.length} new file(s); ${refused} refused`);
    return {
      exitCode: refused > 0 ? 1 : 0,
      newFiles: out.newFiles,
      fileUpdates: out.updates,
      events: out.events,
      output: { extracted: refused > 0 ? 0 : extracted, newFiles: out.newFiles.length },
    };
  },
};

/**
 * The unit's packages still to open, a page of files at a time: looked at side by side (a stat,
 * and a read of the first bytes when the format is not known already), then those with their own
 * "unpacking" event (any outcome: dealt with in an earlier pass) left out. Only the candidates'
 * events are read: a large transfer has several events per file.
 */
async function packagesToOpen(ctx: TaskContext): Promise<FileRecord[]> {
  const found: FileRecord[] = [];
  for await (const page of ctx.store.filePages(ctx.unit.id, { withoutCharacteristics: true })) {
    const candidates = await mapLimit(page, LOOK_CONCURRENCY, async (file) => {
      if (file.group !== "original") return false;
      // Identified as something else: no package, on disk or not, and nothing to look at (10,000
      // identified files were 10,000 stats, and a text file gone from disk passed for a package).
      if (identifiedAsNoPackage(file)) return false;
      const absolute = path.join(ctx.unitPath, ...file.path.split("/"));
      const onDisk = await exists(absolute);
      // A package deleted after extraction by a run that crashed before recording it still counts.
      if (!onDisk && !ctx.config.delete_packages_after_extraction) return false;
      if (onDisk && (await packageKind(absolute, file)) === null) return false;
      return true;
    });
    const chosen = page.filter((_, index) => candidates[index]);
    if (chosen.length === 0) continue;
    const events = await ctx.store.eventsOfFiles(
      chosen.map((f) => f.id),
      [ctx.unit.id],
    );
    const eventIds = new Set(events.filter((e) => e.type === "unpacking").map((e) => e.id));
    for (const file of chosen) if (!eventIds.has(packageEvent(ctx, file, "success", "").id)) found.push(file);
  }
  return found;
}

/** The packages `file` came out of, nearest first, as far as `maxDepth` (read by id, removed ones too). */
async function ancestorsOf(ctx: TaskContext, file: FileRecord, maxDepth: number) {
  const byId = new Map<string, FileRecord>([[file.id, file]]);
  for (let current = file, depth = 0; current.derivedFrom !== null && depth < maxDepth; depth++) {
    const [parent] = await ctx.store.getFiles([current.derivedFrom]);
    if (!parent || byId.has(parent.id)) break;
    byId.set(parent.id, parent);
    current = parent;
  }
  return byId;
}

/**
 * Of the folders the packages could be extracted to ("foo", "foo-<id>"), those a live file's path
 * already takes (as a file or a folder above it), read a page at a time.
 */
async function takenFolders(ctx: TaskContext, packages: readonly FileRecord[]): Promise<string[]> {
  if (packages.length === 0) return [];
  const wanted = new Set<string>();
  for (const pkg of packages) {
    const folder = extractionFolderOf(pkg.path).toLowerCase();
    wanted.add(folder);
    wanted.add(`${folder}-${pkg.id.slice(0, 8)}`);
  }
  const taken = new Set<string>();
  for await (const page of ctx.store.filePages(ctx.unit.id, { withoutCharacteristics: true }))
    for (const file of page) {
      const parts = file.path.toLowerCase().split("/");
      for (let i = 1; i <= parts.length; i++) {
        const prefix = parts.slice(0, i).join("/");
        if (wanted.has(prefix)) taken.add(prefix);
      }
    }
  return [...taken];
}

async function extractOne(ctx: TaskContext, pkg: FileRecord, folder: string, out: Outcome): Promise<boolean> {
  const absolute = path.join(ctx.unitPath, ...pkg.path.split("/"));
  const destination = path.join(ctx.unitPath, ...folder.split("/"));
  let entries: ExtractedEntry[];
  const notes: string[] = [];
  if (await exists(absolute)) {
    try {
      const result = await extractArchive(absolute, destination, { signal: ctx.signal });
      entries = result.entries;
      // A transfer holds regular files only; links that stay inside the package are noted, not kept.
      for (const link of result.symlinks) {
        await rm(path.join(destination, ...link.path.split("/")), { force: true });
        notes.push(`symbolic link ${link.path} -> ${link.target} not kept`);
      }
      for (const r of result.renamed) notes.push(`${r.from} written as ${r.to} (name collision)`);
    } catch (error) {
      if (!isArchiveError(error)) throw error;
      ctx.stderr(`${pkg.path}: ${error.message}`);
      out.events.push(packageEvent(ctx, pkg, "failure", error.message));
      return false;
    }
  } else {
    // Deleted by an earlier attempt of this task after a complete extraction: take what is there.
    const files = await listRegularFiles(destination);
    entries = await Promise.all(
      files.map(async (rel) => ({ path: rel, size: (await statFile(path.join(destination, rel))).size })),
    );
  }
  for (const note of notes) ctx.stdout(`${pkg.path}: ${note}`);
  for (const entry of entries) {
    const rel = `${folder}/${entry.path}`;
    const file: FileRecord = {
      id: ctx.ids.uuid(`file:${rel}`),
      unitId: ctx.unit.id,
      path: rel,
      originalPath: `${pkg.originalPath}/${entry.path}`,
      size: entry.size,
      sha256: null,
      group: groupOf(rel) ?? "original",
      puid: null,
      formatName: null,
      formatVersion: null,
      mime: null,
      derivedFrom: pkg.id,
      removed: false,
      createdAt: ctx.clock.now(),
      characteristics: null,
    };
    out.newFiles.push(file);
    out.events.push(
      fileEvent(ctx, file, "unpacking", {
        key: pkg.id,
        detail: `program="stepmatica extract-packages"; package="${pkg.path}"`,
        outcome: "success",
        outcomeDetail: `extracted from ${pkg.path}`,
      }),
    );
  }
  const kept = ctx.config.delete_packages_after_extraction ? "package deleted" : "package kept";
  const summary = `extracted ${entries.length} file(s) to ${folder}/; ${kept}${notes.length ? `; ${notes.join("; ")}` : ""}`;
  out.events.push(packageEvent(ctx, pkg, "success", summary));
  if (ctx.config.delete_packages_after_extraction) {
    await rm(absolute, { force: true });
    out.updates.push({ id: pkg.id, removed: true });
  }
  ctx.stdout(`${pkg.path}: ${summary}`);
  return true;
}

function packageEvent(ctx: TaskContext, pkg: FileRecord, outcome: EventRecord["outcome"], detail: string) {
  return fileEvent(ctx, pkg, "unpacking", {
    key: "package",
    detail: `program="stepmatica extract-packages"`,
    outcome,
    outcomeDetail: detail,
  });
}
