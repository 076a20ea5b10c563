import { closeSync, openSync, writeSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";

/**
 * Writes a file under a temporary name and renames it: a reader never sees half a file. The
 * temporary name is fixed, so a write repeated after a crash replaces the leftover.
 */
export async function writeFileAtomic(file: string, content: string | Buffer): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.partial`;
  try {
    await writeFile(temp, content);
    await rename(temp, file);
  } finally {
    await rm(temp, { force: true });
  }
}

/**
 * Like writeFileAtomic, for content produced in pieces: `produce` hands each piece to the sink,
 * which writes it straight to the temporary file. Returns the number of characters written.
 */
export async function writeFileStreamAtomic(
  file: string,
  produce: (sink: (chunk: string) => void) => void | Promise<void>,
): Promise<number> {
  await mkdir(path.dirname(file), { recursive: true });
  const temp = `${file}.partial`;
  const fd = openSync(temp, "w");
  let characters = 0;
  try {
    await produce((chunk) => {
      characters += chunk.length;
      writeSync(fd, chunk);
    });
  } catch (error) {
    closeSync(fd);
    await rm(temp, { force: true });
    throw error;
  }
  closeSync(fd);
  await rename(temp, file);
  return characters;
}
