import { statSync } from "node:fs";
import { unlink } from "node:fs/promises";
import { createServer, type Server, type Socket } from "node:net";
import { Worker } from "node:worker_threads";
import { PGlite } from "@electric-sql/pglite";
import { startAutovacuum } from "../adapters/sql/pglite-autovacuum.ts";
import { serveWire } from "../adapters/sql/pglite-server.ts";
import { ensureDataFolder } from "./data-folder.ts";
import { ensureSecret, type HomeFiles, homeFiles, ownerRecord, readOwner, writeOwner } from "./home-files.ts";

/**
 * The database owner of one STEPMATICA_HOME: the only process that opens its embedded PGlite data
 * folder, serving it to every stepmatica process on that home (functions/cli/home-database.ts starts
 * it when the first of them needs the database). It does nothing else, so it outlives any one
 * command, and stops once no process has been connected for STEPMATICA_DB_IDLE_SECONDS (default 60).
 *
 * Exit status: 0 stopped when idle or asked to; 3 another process owns this home already; 1 the
 * database could not be opened or failed (the reason is the last line of db-owner.log).
 */
export const ALREADY_OWNED = 3;

/**
 * PostgreSQL's memory inside PGlite is WebAssembly memory, which grows and never shrinks: every
 * shared buffer touched once stays resident for the owner's life, so the buffers are kept small
 * (PostgreSQL's default is 128 MB). 64 MB rather than 16: a 200,000-file transfer's tables and
 * indexes are several hundred MB, and with 16 MB nearly every row the per-file jobs touch was a
 * page read and written back through Emscripten's file system. At 200,000 files the owner's CPU was
 * 144-159 s with 16 MB, 111 s with 64 MB, 121 s with 128 MB, its kernel time 22-26 s against 10-11 s;
 * the tree's peak 695-717 MB against 779 and 840 MB (BENCHMARKS.md, "A ninth machine"). At 10,000
 * files, where nearly everything fits either way, the owner saved 0.1-0.2 s of CPU and peaked some
 * 60 MB higher (the seventh machine).
 */
const MEMORY_SETTINGS = ["-c", "shared_buffers=64MB"];

/**
 * A page read at random costs about what a page read in sequence does here: the data folder is a
 * local file in the OS's cache, not a spinning disk (PostgreSQL's default of 4 assumes one). With
 * the default the planner read every file of a home sequentially to rank one METS page of 500 by the
 * "C" path index (5.3 against 3.4 ms a page in PGlite).
 */
const PLANNER_SETTINGS = ["-c", "random_page_cost=1.1"];

const DEFAULT_IDLE_SECONDS = 60;

/** How often the owner's thread beats, and its watch thread looks (owner-watch.mjs). */
const WATCH_INTERVAL_MS = 1_000;
/** How long one statement may keep the owner's thread before a full file system is taken as the cause. */
const STALL_MS = 10_000;

export async function runOwner(home: string, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const files = await homeFiles(home);
  const server = createServer();
  // Taking the address is taking the lock: before the data folder is touched.
  if (!(await listen(server, files))) {
    log(`another process owns ${files.home} already`);
    return ALREADY_OWNED;
  }
  const record = ownerRecord(false);
  await writeOwner(files, record);
  // Clients may connect while the data folder opens: they wait for their first answer.
  const early: Socket[] = [];
  const hold = (socket: Socket) => {
    early.push(socket);
    socket.once("close", () => early.splice(early.indexOf(socket), 1)); // a probe, gone already
  };
  server.on("connection", hold);
  const password = await ensureSecret(files);
  let db: PGlite;
  try {
    // A new data folder is created by a child process: initdb's memory would stay in this one.
    if ((await ensureDataFolder(files.dataDir)) === "created")
      log(`created the data folder ${files.dataDir}`);
    // PostgreSQL's WebAssembly gets V8's usual tiering (Liftoff, then TurboFan for hot code). Liftoff
    // only saved 20-35 MB of the owner's peak and cost 15-20 % of its CPU (BENCHMARKS.md, "Waiting,
    // not working": 200,000 files in 378 s against 427 s, the tree's peak 905 against 885 MB).
    db = new PGlite(files.dataDir, {
      startParams: [...PGlite.defaultStartParams, ...MEMORY_SETTINGS, ...PLANNER_SETTINGS],
    });
    await db.waitReady;
  } catch (error) {
    log(`cannot open the embedded database ${files.dataDir}: ${reason(error)}`);
    for (const socket of early) socket.destroy();
    await forgetOwner(files);
    return 1;
  }
  // From here on a data folder removed or filled up under the owner ends it (owner-watch.mjs).
  const watch = watchOwner(files.dataDir);
  await writeOwner(files, { ...record, ready: true });
  log(`owner of ${files.dataDir}`);

  const idleMs = idleSeconds(env) * 1000;
  let timer: NodeJS.Timeout | null = null;
  let panicked = false;
  let finish: (code: number) => void = () => {};
  const finished = new Promise<number>((resolve) => {
    finish = resolve;
  });
  const wire = serveWire({
    db,
    server,
    password,
    onConnections(count) {
      if (timer) clearTimeout(timer);
      timer = count === 0 ? setTimeout(() => finish(0), idleMs) : null;
    },
    onFatal(error) {
      log(`the embedded database failed: ${reason(error)}`);
      finish(1);
    },
    onPanic(message) {
      log(`the embedded database PANICked (${message}): stopping without another statement`);
      panicked = true;
      finish(1);
    },
  });
  // PGlite runs no autovacuum of its own: without this a large transfer's file rows pile up.
  const stopAutovacuum = startAutovacuum({ db, exclusive: wire.exclusive, log });
  server.off("connection", hold);
  for (const socket of [...early]) {
    socket.removeAllListeners("close");
    server.emit("connection", socket);
  }
  const stop = () => finish(0);
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  const code = await finished;
  if (panicked) {
    // What a server does after a PANIC: stop, and the next start recovers the data folder from its
    // WAL. Closing the database would write it once more, and PGlite spins on a failed WAL write.
    await wire.close();
    await forgetOwner(files);
    await watch.stop();
    return code;
  }
  // The data folder is closed before the address is released: a next owner never opens it while
  // this one still writes.
  await wire.refuseNew();
  await stopAutovacuum();
  await db.close().catch((error) => log(`closing the database: ${reason(error)}`));
  await wire.close();
  await forgetOwner(files);
  await watch.stop(); // last: closing the database is when a removed folder would make it spin
  log(code === 0 ? "stopped" : "stopped after a failure");
  return code;
}

/**
 * A thread that ends this process when the data folder at `dataDir` is no longer the one opened
 * here (removed, moved, replaced) or when this thread has stalled with the folder's file system
 * full: in both cases PGlite keeps this thread busy for good. This thread beats every second so
 * that the watch can tell a stall from a long statement.
 */
function watchOwner(dataDir: string): { stop(): Promise<void> } {
  const { dev, ino } = statSync(dataDir);
  const heartbeat = new SharedArrayBuffer(8);
  const beat = new BigInt64Array(heartbeat);
  const beatNow = () => Atomics.store(beat, 0, BigInt(Date.now()));
  beatNow();
  const beating = setInterval(beatNow, WATCH_INTERVAL_MS);
  beating.unref();
  const worker = new Worker(new URL("./owner-watch.mjs", import.meta.url), {
    workerData: { path: dataDir, dev, ino, heartbeat, intervalMs: WATCH_INTERVAL_MS, stallMs: STALL_MS },
  });
  worker.unref(); // it never keeps the owner alive by itself
  return {
    async stop() {
      clearInterval(beating);
      await worker.terminate();
    },
  };
}

async function listen(server: Server, files: HomeFiles): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    const taken = await new Promise<boolean>((resolve, reject) => {
      server.once("error", (error: NodeJS.ErrnoException) =>
        error.code === "EADDRINUSE" ? resolve(false) : reject(error),
      );
      server.listen(files.address, () => resolve(true));
    });
    if (taken || files.address.startsWith("\0") || attempt > 0) return taken;
    // A socket file (not Linux) outlives a killed owner: remove it when nobody answers on it.
    const owner = await readOwner(files);
    if (owner && isAlive(owner.pid)) return false;
    await unlink(files.address).catch(() => {});
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function forgetOwner(files: HomeFiles): Promise<void> {
  const owner = await readOwner(files);
  if (owner?.pid === process.pid) await unlink(files.ownerFile).catch(() => {});
}

function idleSeconds(env: NodeJS.ProcessEnv): number {
  const value = Number(env.STEPMATICA_DB_IDLE_SECONDS);
  return Number.isFinite(value) && value > 0 ? value : DEFAULT_IDLE_SECONDS;
}

function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.startsWith("Aborted(")
    ? `PGlite aborted (${message.split(".")[0]}): the data folder may be damaged or in use by another program`
    : message;
}

function log(line: string): void {
  process.stderr.write(`${new Date().toISOString()} db-owner ${process.pid}: ${line}\n`);
}
