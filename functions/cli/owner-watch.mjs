// A thread of the home's database owner (db-owner.ts) that ends the owner's process when its data
// folder goes away or its file system fills up under it (owner-watch-rules.mjs): PGlite then spins
// in XLogFlush at a full core for good, with the owner's own thread inside it, where no timer of
// that thread runs and no client is answered. Plain JavaScript: the thread starts without the
// TypeScript loader.
import { statfsSync, statSync, writeSync } from "node:fs";
import { workerData } from "node:worker_threads";
import { stopReason } from "./owner-watch-rules.mjs";

/** @type {{ path: string, dev: number, ino: number, heartbeat: SharedArrayBuffer, intervalMs: number, stallMs: number }} */
const { path, dev, ino, heartbeat, intervalMs, stallMs } = workerData;
const beat = new BigInt64Array(heartbeat);

setInterval(() => {
  const now = statSync(path, { throwIfNoEntry: false }) ?? null;
  const reason = stopReason(
    { now, opened: { dev, ino }, path },
    Date.now() - Number(Atomics.load(beat, 0)),
    stallMs,
    () => {
      const { bavail, bsize } = statfsSync(path);
      return bavail * bsize;
    },
  );
  if (reason === null) return;
  try {
    // stderr is the owner's log (db-owner.log), where commands that lose the owner point.
    writeSync(2, `${new Date().toISOString()} db-owner ${process.pid}: ${reason}: stopping at once\n`);
  } catch {
    // The log is on the full file system, or went with the folder: stopping matters more.
  }
  process.kill(process.pid, "SIGKILL");
}, intervalMs);
