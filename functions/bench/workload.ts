import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

/** The mean size of smallFiles' files (1,024 + 0..3,072 bytes, evenly spread). */
export const SMALL_FILE_MEAN_BYTES = 2560;

/** `count` files of 1–4 KB in `folders` folders, deterministic content (the bench's transfers). */
export async function smallFiles(root: string, count: number, folders = 100): Promise<void> {
  const folderCount = Math.max(1, Math.min(folders, count));
  for (let f = 0; f < folderCount; f++)
    await mkdir(path.join(root, `folder-${String(f).padStart(3, "0")}`), { recursive: true });
  const line = "stepmatica benchmark file: digital preservation at the speed of the disk.\n";
  const pending: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const size = 1024 + ((i * 2654435761) % 3073);
    const body = `${i}\n${line.repeat(Math.ceil(size / line.length))}`.slice(0, size);
    pending.push(
      writeFile(path.join(root, `folder-${String(i % folderCount).padStart(3, "0")}`, `file-${i}.txt`), body),
    );
    if (pending.length >= 256) await Promise.all(pending.splice(0));
  }
  await Promise.all(pending);
}
