import fs from "node:fs/promises";
import path from "node:path";

/**
 * Polls the total size of a folder while an external tool writes into it, and calls onExceed
 * once it passes `limit`: a tool that trusts an archive's headers cannot overrun our limits.
 */
export function watchFolderSize(folder: string, limit: number, onExceed: () => void, intervalMs = 200) {
  const state = { exceeded: false, stop: () => clearInterval(timer) };
  let busy = false;
  const timer = setInterval(() => {
    if (busy || state.exceeded) return;
    busy = true;
    folderSize(folder)
      .then((size) => {
        if (size > limit && !state.exceeded) {
          state.exceeded = true;
          onExceed();
        }
      })
      .catch(() => undefined)
      .finally(() => {
        busy = false;
      });
  }, intervalMs);
  return state;
}

async function folderSize(folder: string): Promise<number> {
  let total = 0;
  for (const dirent of await fs.readdir(folder, { withFileTypes: true })) {
    const full = path.join(folder, dirent.name);
    if (dirent.isDirectory()) total += await folderSize(full).catch(() => 0);
    else total += (await fs.lstat(full).catch(() => ({ size: 0 }))).size;
  }
  return total;
}
