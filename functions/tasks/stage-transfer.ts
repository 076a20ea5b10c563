import { constants } from "node:fs";
import { access, copyFile, mkdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { mapLimit } from "../core/concurrency.ts";
import type { TaskContext, TaskModule, TaskOutcome } from "../core/task-module.ts";
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
 * temporary folder that is renamed when complete, so a retry after a crash starts clean.
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
    const temp = `${target}.partial`;
    await rm(temp, { recursive: true, force: true });
    await mkdir(temp, { recursive: true });
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
      const folders = new Set(
        files.map((f) => path.dirname(path.join(temp, ...layoutPath(f.rel, hasObjects).split("/")))),
      );
      for (const folder of [...folders].sort()) await mkdir(folder, { recursive: true });
      const unreadable: string[] = [];
      await mapLimit(files, 16, async (f) => {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        // Copy first and ask why only when it fails (one call per file, not two); a clone where the
        // file system can. A refusal is the source's only when the source is indeed unreadable.
        const target = path.join(temp, ...layoutPath(f.rel, hasObjects).split("/"));
        await copyFile(f.abs, target, constants.COPYFILE_FICLONE).catch(
          async (error: NodeJS.ErrnoException) => {
            const readable = await access(f.abs, constants.R_OK).then(
              () => true,
              () => false,
            );
            if (readable || (error.code !== "EACCES" && error.code !== "EPERM")) throw error;
            unreadable.push(f.rel);
          },
        );
      });
      if (unreadable.length > 0) {
        for (const rel of unreadable.sort()) ctx.stderr(`${rel}: file is not readable`);
        await rm(temp, { recursive: true, force: true });
        return { exitCode: 1 };
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

/** An uploaded package (s3://bucket/key) is streamed from the transfer store as one object. */
async function stageObject(ctx: TaskContext, target: string): Promise<TaskOutcome> {
  const url = new URL(ctx.unit.source);
  const key = decodeURIComponent(url.pathname.replace(/^\//, ""));
  if (!ctx.transfers) {
    ctx.stderr(`${ctx.unit.source}: this worker has no transfer store to read it from`);
    return { exitCode: 1 };
  }
  const temp = `${target}.partial`;
  await rm(temp, { recursive: true, force: true });
  for (const folder of ["objects", "metadata", "logs"])
    await mkdir(path.join(temp, folder), { recursive: true });
  await ctx.transfers.getToFile(key, path.join(temp, "objects", path.posix.basename(key)));
  await rename(temp, target);
  ctx.stdout(`staged ${ctx.unit.source}`);
  return { exitCode: 0, output: { stagedFiles: 1 } };
}
