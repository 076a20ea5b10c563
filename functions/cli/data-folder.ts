import { spawn } from "node:child_process";
import { readdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";

/**
 * The embedded database's data folder is created (initdb) in a short-lived child process, not in the
 * owner that then serves it: PGlite's WebAssembly memory grows and never shrinks, and initdb grew the
 * owner by some 540 MB it kept for its whole life.
 */

const CREATE_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), "data-folder.mjs");

/** Whether `dataDir` holds a PostgreSQL cluster (PGlite itself looks for the same file). */
export async function holdsDatabase(dataDir: string): Promise<boolean> {
  return (await stat(path.join(dataDir, "PG_VERSION")).catch(() => null)) !== null;
}

/**
 * Makes sure `dataDir` holds a database, creating one in a child process when it does not. Only the
 * home's owner calls this (it holds the home's address), so two never create the same folder. The
 * new cluster is made beside the folder and moved into place when complete: a creation that is
 * killed halfway leaves no half-made data folder for the next owner to open.
 */
export async function ensureDataFolder(dataDir: string): Promise<"created" | "found"> {
  if (await holdsDatabase(dataDir)) return "found";
  const inside = await readdir(dataDir).catch(() => []);
  if (inside.length > 0)
    throw new Error(`${dataDir} holds ${inside.length} file(s) but no database (no PG_VERSION)`);
  await removeHalfMade(dataDir);
  // A name of this owner's own: the creator of an owner that was killed may still be writing its own.
  const making = `${dataDir}.new-${process.pid}`;
  try {
    await runCreator(making);
    await rename(making, dataDir); // replaces the empty folder of that name, if there is one
  } catch (error) {
    await rm(making, { recursive: true, force: true });
    throw error;
  }
  return "created";
}

/** Folders left by creations that were killed before they were moved into place. */
async function removeHalfMade(dataDir: string): Promise<void> {
  const parent = path.dirname(dataDir);
  const prefix = `${path.basename(dataDir)}.new-`;
  for (const name of await readdir(parent)) {
    // One its creator still writes into may not go at once: left for the next owner, harmless.
    if (name.startsWith(prefix))
      await rm(path.join(parent, name), { recursive: true, force: true }).catch(() => {});
  }
}

/** Runs initdb in this process: what the child does (data-folder.mjs). */
export async function createDataFolder(dataDir: string): Promise<void> {
  const db = new PGlite(dataDir);
  await db.waitReady;
  await db.close();
}

function runCreator(dataDir: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CREATE_SCRIPT, dataDir], { stdio: ["ignore", "ignore", "pipe"] });
    let said = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (text: string) => {
      said = (said + text).slice(-4000);
    });
    child.on("error", reject);
    child.on("close", (code, signal) => {
      if (code === 0) return resolve();
      const last = said.trim().split("\n").at(-1);
      reject(
        new Error(`creating the data folder failed (${signal ?? `exit ${code}`})${last ? `: ${last}` : ""}`),
      );
    });
  });
}
