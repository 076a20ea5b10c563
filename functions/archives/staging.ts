import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";

const STAGING_TAG = ".extracting-";
const REPLACED_TAG = ".replaced-";

/**
 * Runs `work` in a fresh temp folder beside destDir (same file system, so the final rename is
 * atomic), then puts it in destDir's place. A destDir left by an earlier run is replaced, never a
 * reason to fail. On failure the temp folder is removed, so nothing is left outside destDir.
 * Leftovers of a crashed earlier run for the same destDir are removed first: one extraction per
 * destDir at a time (the task queue's lease guarantees that).
 */
export async function withStagingFolder<T>(
  destDir: string,
  work: (staging: string) => Promise<T>,
): Promise<T> {
  const target = path.resolve(destDir);
  const parent = path.dirname(target);
  const base = path.basename(target);
  await fs.mkdir(parent, { recursive: true });
  await removeLeftovers(parent, base);
  const staging = await fs.mkdtemp(path.join(parent, `.${base}${STAGING_TAG}`));
  let result: T;
  try {
    result = await work(staging);
  } catch (error) {
    await fs.rm(staging, { recursive: true, force: true });
    throw error;
  }
  await replaceWith(staging, target, parent, base);
  return result;
}

async function replaceWith(staging: string, target: string, parent: string, base: string): Promise<void> {
  try {
    await fs.rename(staging, target);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "ENOTEMPTY" && code !== "EEXIST" && code !== "ENOTDIR" && code !== "EISDIR") {
      await fs.rm(staging, { recursive: true, force: true });
      throw error;
    }
  }
  const replaced = path.join(parent, `.${base}${REPLACED_TAG}${randomBytes(6).toString("hex")}`);
  await fs.rename(target, replaced);
  await fs.rename(staging, target);
  await fs.rm(replaced, { recursive: true, force: true });
}

async function removeLeftovers(parent: string, base: string): Promise<void> {
  const names = await fs.readdir(parent);
  const prefixes = [`.${base}${STAGING_TAG}`, `.${base}${REPLACED_TAG}`];
  await Promise.all(
    names
      .filter((name) => prefixes.some((prefix) => name.startsWith(prefix)))
      .map((name) => fs.rm(path.join(parent, name), { recursive: true, force: true })),
  );
}
