import { mkdir, readdir, rename, rmdir } from "node:fs/promises";
import path from "node:path";
import type { EventRecord, FileRecord } from "../core/model.ts";
import type { TaskModule } from "../core/task-module.ts";
import { fileEvent } from "./events.ts";
import { exists } from "./fs-walk.ts";
import { planFolderNames } from "./sanitize-name.ts";

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
    const files = await ctx.store.listFiles(ctx.unit.id);
    const plan = planPaths(files.map((f) => f.path));
    const updates: Array<Pick<FileRecord, "id" | "path">> = [];
    const events: EventRecord[] = [];
    const emptied = new Set<string>();
    for (const file of files) {
      const target = plan.get(file.path)!;
      if (target === file.path) continue;
      const from = path.join(ctx.unitPath, ...file.path.split("/"));
      const to = path.join(ctx.unitPath, ...target.split("/"));
      if (await exists(from)) {
        if (await exists(to)) throw new Error(`${target}: exists already; cannot rename ${file.path} to it`);
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
    ctx.stdout(`renamed ${updates.length} of ${files.length} file(s)`);
    return { exitCode: 0, fileUpdates: updates, events, output: { renamed: updates.length } };
  },
};

/**
 * The clean path of every given path. The top folder (objects/, metadata/) is kept; below it each
 * folder's entries are planned together so that two cleaned names never collide.
 */
export function planPaths(paths: readonly string[]): Map<string, string> {
  const children = new Map<string, Set<string>>();
  for (const p of paths) {
    const parts = p.split("/");
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join("/");
      const set = children.get(parent) ?? new Set<string>();
      children.set(parent, set);
      set.add(parts[i]!);
    }
  }
  const planCache = new Map<string, Map<string, string>>();
  const folderPlan = (parent: string) => {
    const plan = planCache.get(parent) ?? planFolderNames([...(children.get(parent) ?? [])]);
    planCache.set(parent, plan);
    return plan;
  };
  const result = new Map<string, string>();
  for (const p of paths) {
    const parts = p.split("/");
    const out = [parts[0]!];
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join("/");
      out.push(folderPlan(parent).get(parts[i]!)!);
    }
    result.set(p, out.join("/"));
  }
  return result;
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
