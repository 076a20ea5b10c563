import { constants } from "node:fs";
import { access } from "node:fs/promises";
import type { TaskModule } from "../core/task-module.ts";
import { kindOf, walk } from "./fs-walk.ts";

/** Longest path (bytes, relative to the unit) that downstream tools and tar/zip writers handle everywhere. */
const MAX_PATH_BYTES = 4000;

/**
 * Checks the transfer's structure before anything is done to it: an objects/ folder with at least
 * one file, only regular files and folders, every file readable, no path too long to store.
 * Each problem names the file; any problem rejects the transfer.
 */
export const verifyTransferCompliance: TaskModule = {
  name: "verify-transfer-compliance",
  command: "verify-transfer-compliance",
  async run(ctx) {
    const problems: string[] = [];
    let objects = 0;
    for await (const entry of walk(ctx.unitPath)) {
      if (entry.dirent.isDirectory()) continue;
      if (!entry.dirent.isFile()) {
        problems.push(`${entry.rel}: ${kindOf(entry.dirent)} not allowed in a transfer`);
        continue;
      }
      if (Buffer.byteLength(entry.rel) > MAX_PATH_BYTES)
        problems.push(`${entry.rel}: path longer than ${MAX_PATH_BYTES} bytes`);
      const readable = await access(entry.abs, constants.R_OK).then(
        () => true,
        () => false,
      );
      if (!readable) problems.push(`${entry.rel}: file is not readable`);
      if (entry.rel.startsWith("objects/")) objects += 1;
    }
    if (objects === 0) problems.push("objects/: the transfer holds no files");
    for (const p of problems) ctx.stderr(p);
    if (problems.length === 0) ctx.stdout(`transfer structure is valid: ${objects} object(s)`);
    return { exitCode: problems.length === 0 ? 0 : 1, output: { objects } };
  },
};
