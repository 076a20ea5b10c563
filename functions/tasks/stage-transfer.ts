import { randomUUID } from "node:crypto";
import { constants } from "node:fs";
import { access, copyFile, lstat, mkdir, readdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { mapLimit } from "../core/concurrency.ts";
import type { TaskContext, TaskModule, TaskOutcome } from "../core/task-module.ts";
import { runTool } from "../tools/run-tool.ts";
import { exists, kindOf, listRegularFiles, walk } from "./fs-walk.ts";

/** Where a deposited file goes in the transfer's standard layout (objects/, metadata/). */
export function layoutPath(rel: string, depositHasObjectsFolder: boolean): string {
  const [top] = rel.split("/");
  if (depositHasObjectsFolder) return rel;
  // Archivematica's processing configuration stays at the root: it configures the transfer, it is not content.
  if (top === "metadata" || rel === "processingMCP.xml") return rel;
  if (top === "submissionDocumentation") return `metadata/${rel}`;
  return `objects/${rel}`;
}

export function sourcePath(source: string): string {
  if (source.startsWith("file://")) return fileURLToPath(source);
  if (path.isAbsolute(source)) return source;
  throw new Error(
    `source "${source}" is not a local path; stage-transfer on this machine reads file:// sources`,
  );
}

/**
 * Copies the deposit onto working storage in the standard transfer layout. The copy goes to a
 * temporary folder that is renamed when complete, so a retry after a crash starts clean (and in a
 * folder of its own: see freshTemporaryFolder).
 */
export const stageTransfer: TaskModule = {
  name: "stage-transfer",
  command: "stage-transfer SOURCE",
  async run(ctx) {
    const target = ctx.unitPath;
    if (await exists(target)) {
      // A retry after the copy was renamed into place: the same result as the run that staged it.
      const staged = (await listRegularFiles(target)).length;
      ctx.stdout(`already staged: ${ctx.unit.workingPath} (${staged} file(s))`);
      return { exitCode: 0, output: { stagedFiles: staged } };
    }
    if (ctx.unit.source.startsWith("s3://")) return stageObject(ctx, target);
    const source = sourcePath(ctx.unit.source);
    const info = await stat(source).catch(() => null);
    if (!info) {
      ctx.stderr(`${source}: no such file or folder`);
      return { exitCode: 1 };
    }
    const temp = await freshTemporaryFolder(target);
    let copied = 0;
    if (info.isFile()) {
      // A package (zip, tar, 7z…) is staged as one object; "Extract packages" opens it.
      await mkdir(path.join(temp, "objects"), { recursive: true });
      await copyFile(source, path.join(temp, "objects", path.basename(source)));
      copied = 1;
    } else {
      const hasObjects = await exists(path.join(source, "objects"));
      const files: Array<{ rel: string; abs: string }> = [];
      const refused: string[] = [];
      for await (const entry of walk(source)) {
        if (entry.dirent.isDirectory()) continue;
        // Links and special files are never followed; every one is named, not just the first.
        if (!entry.dirent.isFile())
          refused.push(`${entry.rel}: ${kindOf(entry.dirent)} not allowed in a transfer`);
        else files.push({ rel: entry.rel, abs: entry.abs });
      }
      if (refused.length > 0) {
        for (const line of refused) ctx.stderr(line);
        await rm(temp, { recursive: true, force: true });
        return { exitCode: 1 };
      }
      if (!(await copiedByCp(source, temp, hasObjects, ctx.signal))) {
        // Copied file by file instead, which names every file that cannot be read.
        await rm(temp, { recursive: true, force: true });
        await mkdir(temp, { recursive: true });
        const unreadable = await copyEachFile(files, temp, hasObjects, ctx.signal);
        if (unreadable.length > 0) {
          for (const rel of unreadable.sort()) ctx.stderr(`${rel}: file is not readable`);
          await rm(temp, { recursive: true, force: true });
          return { exitCode: 1 };
        }
      }
      copied = files.length;
    }
    for (const folder of ["objects", "metadata", "logs"])
      await mkdir(path.join(temp, folder), { recursive: true });
    await rename(temp, target);
    ctx.stdout(`staged ${copied} file(s) from ${source}`);
    return { exitCode: 0, output: { stagedFiles: copied } };
  },
};

/**
 * A folder of this attempt's own to copy into before the rename (`<target>.<random>.partial`), once
 * the folders of earlier attempts are removed. A killed attempt's cp runs on (it is its own process
 * group) and may still be writing: into its own folder, never into this one. Each earlier folder is
 * first renamed out of that writer's way (its writes by path then fail), then removed: removing it
 * in place races the writer, whose new files land between rm's listing and its rmdir (ENOTEMPTY).
 * The new name matches the same pattern, so a folder left by a crash between the two goes next time.
 */
async function freshTemporaryFolder(target: string): Promise<string> {
  const parent = path.dirname(target);
  const name = path.basename(target);
  // `<name>.partial` (the fixed name earlier versions used) and `<name>.<random>.partial`.
  const earlier = (await readdir(parent).catch(() => [] as string[])).filter(
    (entry) => entry.startsWith(`${name}.`) && entry.endsWith(".partial"),
  );
  for (const entry of earlier) {
    const doomed = attemptFolderName(target);
    const moved = await rename(path.join(parent, entry), doomed).then(
      () => true,
      (error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return false;
        throw error;
      },
    );
    if (moved) await rm(doomed, { recursive: true, force: true, maxRetries: 5, retryDelay: 20 });
  }
  const temp = attemptFolderName(target);
  await mkdir(temp, { recursive: true });
  return temp;
}

const attemptFolderName = (target: string) => `${target}.${randomUUID().slice(0, 8)}.partial`;

/** Top-level entries given to one cp: beyond this the command line could pass the system's limit. */
const CP_MAX_ENTRIES = 1000;

/**
 * cp processes per folder of the layout, each given every other top-level entry. Creating small
 * files is the kernel's work, and on some machines it costs far more than on others (or than on
 * the same machine an hour before): 10,000 files in 20 folders, one cp against two, six alternated
 * pairs: 5.9-7.5 against 3.4-4.1 s; four processes no faster than two on two cores (BENCHMARKS.md,
 * "Staging in two copies").
 */
const CP_PROCESSES = 2;

/**
 * The deposit copied by `cp -R -P` (links copied as links, never followed: the walk has refused
 * them already, and one made since is refused by the compliance check), CP_PROCESSES runs at once
 * per folder of the layout its top-level entries go into (a lone folder's entries instead: see
 * spreadLoneFolder). 10,000 small files: cp 0.15-0.17 s, Node's copyFile 0.44 s at best and 1-2 s
 * after many deletions (a thread-pool round trip, ftruncate and fchmod per file). False when cp is
 * missing, a folder cannot be read or any run failed (an unreadable file, a full disk): the caller
 * copies again, file by file, and names what it cannot read.
 */
async function copiedByCp(
  source: string,
  temp: string,
  hasObjects: boolean,
  signal: AbortSignal,
): Promise<boolean> {
  const entries = await readdir(source);
  if (entries.length > CP_MAX_ENTRIES) return false;
  const byFolder = new Map<string, string[]>();
  for (const name of entries.sort()) {
    const folder = path.posix.dirname(layoutPath(name, hasObjects));
    const sources = byFolder.get(folder) ?? [];
    sources.push(path.join(source, name));
    byFolder.set(folder, sources);
  }
  for (const [folder, entriesHere] of byFolder) {
    const layoutFolder = path.join(temp, ...folder.split("/"));
    await mkdir(layoutFolder, { recursive: true });
    const spread = await spreadLoneFolder(entriesHere, layoutFolder).catch(() => null);
    if (!spread) return false;
    const { sources, into } = spread;
    const groups = Array.from({ length: Math.min(CP_PROCESSES, sources.length) }, (_, group) =>
      sources.filter((_, index) => index % CP_PROCESSES === group),
    );
    const runs = await Promise.all(
      groups.map((group) => runTool("cp", ["-R", "-P", "--", ...group, into], { signal }).catch(() => null)),
    );
    if (signal.aborted) throw signal.reason;
    if (runs.some((run) => run?.exitCode !== 0)) return false;
  }
  return true;
}

/**
 * What the cp runs of one layout folder copy: a lone folder (a deposit of one folder, or of
 * objects/ alone) is made here and replaced by its entries, a few levels down, so that it too is
 * copied by CP_PROCESSES runs. Its mode goes to the folder made, as cp would give it.
 */
async function spreadLoneFolder(
  sources: string[],
  into: string,
): Promise<{ sources: string[]; into: string }> {
  for (let depth = 0; depth < 4 && sources.length === 1; depth++) {
    const only = sources[0]!;
    const info = await lstat(only);
    if (!info.isDirectory()) break;
    const names = await readdir(only);
    if (names.length > CP_MAX_ENTRIES) break;
    into = path.join(into, path.basename(only));
    await mkdir(into, { recursive: true, mode: info.mode & 0o7777 });
    sources = names.sort().map((name) => path.join(only, name));
  }
  return { sources, into };
}

/** Copies each file into its place in the layout; returns the files it could not read. */
async function copyEachFile(
  files: Array<{ rel: string; abs: string }>,
  temp: string,
  hasObjects: boolean,
  signal: AbortSignal,
): Promise<string[]> {
  const folders = new Set(
    files.map((f) => path.dirname(path.join(temp, ...layoutPath(f.rel, hasObjects).split("/")))),
  );
  for (const folder of [...folders].sort()) await mkdir(folder, { recursive: true });
  const unreadable: string[] = [];
  await mapLimit(files, 16, async (f) => {
    if (signal.aborted) throw signal.reason;
    // Copy first and ask why only when it fails (one call per file, not two); a clone where the
    // file system can. A refusal is the source's only when the source is indeed unreadable.
    const target = path.join(temp, ...layoutPath(f.rel, hasObjects).split("/"));
    await copyFile(f.abs, target, constants.COPYFILE_FICLONE).catch(async (error: NodeJS.ErrnoException) => {
      const readable = await access(f.abs, constants.R_OK).then(
        () => true,
        () => false,
      );
      if (readable || (error.code !== "EACCES" && error.code !== "EPERM")) throw error;
      unreadable.push(f.rel);
    });
  });
  return unreadable;
}

/** An uploaded package (s3://bucket/key) is streamed from the transfer store as one object. */
async function stageObject(ctx: TaskContext, target: string): Promise<TaskOutcome> {
  const url = new URL(ctx.unit.source);
  const key = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (!ctx.transfers) {
    ctx.stderr(`${ctx.unit.source}: this worker has no transfer store to read it from`);
    return { exitCode: 1 };
  }
  const temp = await freshTemporaryFolder(target);
  for (const folder of ["objects", "metadata", "logs"])
    await mkdir(path.join(temp, folder), { recursive: true });
  await ctx.transfers.getToFile(key, path.join(temp, "objects", path.posix.basename(key)));
  await rename(temp, target);
  ctx.stdout(`staged ${ctx.unit.source}`);
  return { exitCode: 0, output: { stagedFiles: 1 } };
}
