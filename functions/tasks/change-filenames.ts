import { mkdir, readdir, rename, rmdir } from "node:fs/promises";
import path from "node:path";
import type { EventRecord, FileRecord } from "../core/model.ts";
import type { TaskContext, TaskModule } from "../core/task-module.ts";
import { fileEvent } from "./events.ts";
import { exists } from "./fs-walk.ts";
import { planFolderNames, sanitizeName } from "./sanitize-name.ts";

/**
 * Clean up names: every folder and file name under objects/ and metadata/ that would trouble
 * downstream tools (control characters, shell metacharacters, undecodable bytes, a leading dash,
 * more than 255 bytes) is replaced by a safe one. The plan is made from the stored file paths,
 * not from the disk, so a rerun after a crash makes the same plan and finishes the renames; the
 * original name stays in FileRecord.originalPath and in a "filename change" event.
 */
export const changeFilenames: TaskModule = {
  name: "change-filenames",
  command: "change-filenames (sanitize names)",
  async run(ctx) {
    const cleanPath = await planUnitPaths(ctx);
    const updates: Array<Pick<FileRecord, "id" | "path">> = [];
    const events: EventRecord[] = [];
    const emptied = new Set<string>();
    let files = 0;
    for await (const page of ctx.store.filePages(ctx.unit.id, { withoutCharacteristics: true }))
      for (const file of page) {
        files += 1;
        const target = cleanPath(file.path);
        if (target === file.path) continue;
        const from = path.join(ctx.unitPath, ...file.path.split("/"));
        const to = path.join(ctx.unitPath, ...target.split("/"));
        if (await exists(from)) {
          if (await exists(to))
            throw new Error(`${target}: exists already; cannot rename ${file.path} to it`);
          await mkdir(path.dirname(to), { recursive: true });
          await rename(from, to);
          emptied.add(path.dirname(from));
        } else if (!(await exists(to))) {
          ctx.stderr(`${file.path}: not found on disk (nor ${target})`);
          return { exitCode: 1 };
        }
        updates.push({ id: file.id, path: target });
        events.push(
          fileEvent(ctx, file, "filename change", {
            key: target,
            detail: 'prohibited characters removed: program="stepmatica change-filenames"',
            outcome: "success",
            outcomeDetail: `Original name="%transferDirectory%${file.path}"; cleaned up name="%transferDirectory%${target}"`,
          }),
        );
        ctx.stdout(`${JSON.stringify(file.path)} -> ${JSON.stringify(target)}`);
      }
    for (const folder of [...emptied].sort((a, b) => b.length - a.length))
      await removeEmptyUp(folder, ctx.unitPath);
    ctx.stdout(`renamed ${updates.length} of ${files} file(s)`);
    return { exitCode: 0, fileUpdates: updates, events, output: { renamed: updates.length } };
  },
};

/**
 * The clean path of each of the unit's paths, read a page of files at a time: first the folders
 * holding a name to clean, then those folders' entries (a clean name must not take a kept one).
 * Memory grows with those folders' entries only, not with the unit.
 */
async function planUnitPaths(ctx: TaskContext): Promise<(path: string) => string> {
  const pages = () => ctx.store.filePages(ctx.unit.id, { withoutCharacteristics: true });
  const unclean = new Set<string>();
  for await (const page of pages())
    for (const file of page) {
      const parts = file.path.split("/");
      for (let i = 1; i < parts.length; i++)
        if (sanitizeName(parts[i]!) !== parts[i]) unclean.add(parts.slice(0, i).join("/"));
    }
  const children = new Map<string, Set<string>>();
  if (unclean.size > 0)
    for await (const page of pages())
      addChildren(
        children,
        page.map((f) => f.path),
        unclean,
      );
  return cleanPathOf(children);
}

/** Each folder's entry names (of `only` those folders when given), from the paths under it. */
function addChildren(children: Map<string, Set<string>>, paths: readonly string[], only?: Set<string>) {
  for (const p of paths) {
    const parts = p.split("/");
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join("/");
      if (only && !only.has(parent)) continue;
      const set = children.get(parent) ?? new Set<string>();
      children.set(parent, set);
      set.add(parts[i]!);
    }
  }
}

/**
 * A path's clean path, given the entries of the folders that hold a name to clean. The top folder
 * (objects/, metadata/) is kept; below it each folder's entries are planned together so that two
 * cleaned names never collide. A folder not in `children` has only clean names: kept as it is.
 */
function cleanPathOf(children: Map<string, Set<string>>): (path: string) => string {
  const planCache = new Map<string, Map<string, string>>();
  const folderPlan = (parent: string) => {
    const plan = planCache.get(parent) ?? planFolderNames([...(children.get(parent) ?? [])]);
    planCache.set(parent, plan);
    return plan;
  };
  return (p) => {
    const parts = p.split("/");
    const out = [parts[0]!];
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join("/");
      out.push(children.has(parent) ? folderPlan(parent).get(parts[i]!)! : parts[i]!);
    }
    return out.join("/");
  };
}

/** The clean path of every given path (all of them in memory: for a known, small list). */
export function planPaths(paths: readonly string[]): Map<string, string> {
  const children = new Map<string, Set<string>>();
  addChildren(children, paths);
  const clean = cleanPathOf(children);
  return new Map(paths.map((p) => [p, clean(p)]));
}

/** Removes folders left empty by the renames, up to (not including) the unit's top folders. */
async function removeEmptyUp(folder: string, unitPath: string): Promise<void> {
  let current = folder;
  while (current.startsWith(unitPath + path.sep) && path.dirname(current) !== unitPath) {
    const entries = await readdir(current).catch(() => null);
    if (entries === null || entries.length > 0) return;
    await rmdir(current);
    current = path.dirname(current);
  }
}
