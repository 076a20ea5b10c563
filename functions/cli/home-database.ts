import { spawn } from "node:child_process";
import { open, readFile, stat, statfs } from "node:fs/promises";
import { connect, Socket } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { PgSql } from "../adapters/sql/pg.ts";
import { type HomeFiles, homeFiles, type OwnerRecord, readOwner, readSecret } from "./home-files.ts";
import { CliError, type CliIo, writeLine } from "./io.ts";
import { FULL_BELOW_BYTES } from "./owner-watch-rules.mjs";

/**
 * A process's connection to its home's embedded database: through the home's database owner
 * (db-owner.ts), started here, detached, when nobody owns the home yet. Every stepmatica process on
 * the home is a client of that one owner, so all of them see every record at once and only one
 * process ever opens the data folder.
 */

const OWNER_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), "db-owner.mjs");
/**
 * One V8 background thread instead of four: the owner's work is one WebAssembly instance on one
 * thread, and every extra thread kept its own malloc arena of compiler and collector memory
 * (25-30 MB each). With Liftoff only as well its peak at 10,000 files went 301-305 -> 213 MB
 * (BENCHMARKS.md, "The 200,000-file run"); Liftoff only was dropped again for its CPU (db-owner.ts).
 */
const OWNER_NODE_OPTIONS = ["--v8-pool-size=1", ...ownerProfiling(process.env.STEPMATICA_OWNER_CPU_PROF)];

/**
 * STEPMATICA_OWNER_CPU_PROF=DIR: the owner writes a V8 CPU profile into DIR when it stops (SIGTERM
 * or idle), for profiling the embedded database beside `node --cpu-prof` of the pipeline.
 */
function ownerProfiling(dir: string | undefined): string[] {
  return dir ? ["--cpu-prof", `--cpu-prof-dir=${dir}`] : [];
}
const ALREADY_OWNED = 3; // db-owner.ts: another process took the home first
const START_TIMEOUT_MS = 120_000; // a first start runs initdb, slow on a busy machine
/**
 * How long a new connection waits to be let in before `pg` gives it up (a busy owner lets it in
 * between other clients' turns). A given-up connection is not the owner's loss (ownerSocket); the
 * opening loop below tries again. 120 s was tried: in the shared-home test under CI load a status
 * command then waited out its whole deadline on one connection, where 20 s and a retry passed.
 */
const CONNECT_TIMEOUT_MS = 20_000;

export interface HomeDatabaseOptions {
  env?: NodeJS.ProcessEnv;
  /**
   * The owner went away while this process was connected (it was killed, or failed): whatever this
   * process was doing can no longer be recorded. Told once, with a sentence naming the home and owner.
   */
  onLost?(sentence: string): void;
  timeoutMs?: number;
  /** How long a new pool connection may wait to be let in (default CONNECT_TIMEOUT_MS). */
  connectTimeoutMs?: number;
}

export async function openHomeDatabase(home: string, options: HomeDatabaseOptions = {}): Promise<PgSql> {
  const files = await homeFiles(home);
  const env = options.env ?? process.env;
  const deadline = Date.now() + (options.timeoutMs ?? START_TIMEOUT_MS);
  let closing = false;
  let lostTold = false;
  let owner: OwnerRecord | null = null;
  // Told synchronously, before `pg` fails the queries that were out: the sentence comes first.
  const lost = () => {
    if (closing || lostTold) return;
    lostTold = true;
    options.onLost?.(
      `lost the database of home ${files.home}: its owner process${owner ? ` ${owner.pid}` : ""} stopped (see ${files.logFile})`,
    );
  };
  const sql = await PgSql.open("", {
    pool: {
      user: "postgres",
      database: "postgres",
      password: () => secretOf(files),
      idleTimeoutMillis: 0, // a live process keeps a connection, so its owner never stops as idle
      connectionTimeoutMillis: options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
      stream: () => {
        const socket = ownerSocket(files, env, lost);
        // A new owner may have taken over since: name the one this connection talks to.
        socket.once("connect", () => {
          readOwner(files).then((record) => {
            owner = record ?? owner;
          });
        });
        return socket;
      },
    } as object,
  });
  const close = sql.close.bind(sql);
  sql.close = async () => {
    closing = true;
    await close();
  };
  const logStart = (await stat(files.logFile).catch(() => null))?.size ?? 0;
  let failures = 0;
  for (;;) {
    try {
      await ensureOwner(files, env, deadline);
      await sql.query("select 1");
      owner = await readOwner(files);
      return sql;
    } catch (error) {
      // The owner was stopping as idle when we came (it ends connections it has not answered):
      // ask again, and a new owner takes over. An owner still opening its data folder is waited for.
      const failed = await openFailure(files, logStart);
      if (failed) {
        await sql.close().catch(() => {});
        throw failed;
      }
      if ((await readOwner(files))?.ready !== false) failures += 1;
      const refused = (error as { code?: string }).code === "28P01";
      if (error instanceof CliError || refused || failures >= 3 || Date.now() > deadline) {
        await sql.close().catch(() => {});
        if (error instanceof CliError) throw error;
        throw await unanswered(files, error);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** The start of a ReadyForQuery message: 'Z', then its length (5). */
const READY_FOR_QUERY = Buffer.from([0x5a, 0, 0, 0, 5]);

/**
 * A socket to the owner for `pg`: it makes sure an owner runs before connecting (so a live process
 * takes over a home whose owner died), and tells `lost` when the owner ends a connection in use.
 */
function ownerSocket(files: HomeFiles, env: NodeJS.ProcessEnv, lost: () => void): Socket {
  const socket = new Socket();
  const connectTo = socket.connect.bind(socket);
  const endBy = socket.end.bind(socket);
  let answered = false;
  let ending = false;
  socket.connect = (() => {
    ensureOwner(files, env, Date.now() + START_TIMEOUT_MS).then(
      () => connectTo({ path: files.address }),
      (error: Error) => socket.destroy(error),
    );
    return socket;
  }) as typeof socket.connect;
  socket.end = ((...args: Parameters<Socket["end"]>) => {
    ending = true;
    return endBy(...args);
  }) as typeof socket.end;
  // Answered means started: the owner said ReadyForQuery. A connection given up before that (`pg`
  // destroys it when its connect timeout expires) is this process's doing, not the owner's end.
  let tail = Buffer.alloc(0);
  const started = (chunk: Buffer) => {
    const seen = Buffer.concat([tail, chunk]);
    if (seen.includes(READY_FOR_QUERY)) {
      answered = true;
      socket.off("data", started);
    } else tail = seen.subarray(-(READY_FOR_QUERY.length - 1));
  };
  socket.on("data", started);
  // The owner's end shows as "error" (ECONNRESET, when a query was out) or as "end" (an idle
  // connection reads a clean end of stream); both come before `pg` reports it. "end" is heard first
  // of all: right after it, Node and `pg` end our side too, which would look like our own closing.
  const gone = () => {
    if (answered && !ending) lost();
  };
  socket.prependOnceListener("end", gone);
  socket.once("error", gone);
  socket.once("close", gone);
  return socket;
}

/** Someone listens on the home's address when this returns; starts the owner if nobody does. */
async function ensureOwner(files: HomeFiles, env: NodeJS.ProcessEnv, deadline: number): Promise<void> {
  let started = false;
  let exitCode: number | null = null;
  let logFrom = 0;
  while (!(await answers(files.address))) {
    if (!started) {
      logFrom = (await stat(files.logFile).catch(() => null))?.size ?? 0;
      await startOwner(files, env, (code) => {
        exitCode = code;
      });
      started = true;
    } else if (exitCode !== null && exitCode !== ALREADY_OWNED && exitCode !== 0) {
      throw (
        (await openFailure(files, logFrom)) ??
        new CliError(
          `the database owner of home ${files.home} stopped (exit ${exitCode}): see ${files.logFile}`,
        )
      );
    }
    if (Date.now() > deadline) throw await unanswered(files, new Error("nobody listens"));
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function startOwner(files: HomeFiles, env: NodeJS.ProcessEnv, onExit: (code: number) => void) {
  const log = await open(files.logFile, "a");
  try {
    const child = spawn(process.execPath, [...OWNER_NODE_OPTIONS, OWNER_SCRIPT, files.home], {
      detached: true,
      stdio: ["ignore", log.fd, log.fd],
      env: { ...process.env, ...env },
    });
    child.on("exit", (code, signal) => onExit(code ?? (signal ? 128 : 1)));
    child.unref();
  } finally {
    await log.close();
  }
}

function answers(address: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect({ path: address });
    probe.once("connect", () => {
      probe.destroy();
      resolve(true);
    });
    probe.once("error", () => resolve(false));
  });
}

async function secretOf(files: HomeFiles): Promise<string> {
  try {
    return await readSecret(files);
  } catch (error) {
    throw new CliError(
      `cannot read ${files.secretFile} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): the database of home ${files.home} belongs to another user; use a STEPMATICA_HOME of your own`,
    );
  }
}

/** The one sentence for an owner that is there but does not serve us. */
async function unanswered(files: HomeFiles, error: unknown): Promise<CliError> {
  const owner = await readOwner(files);
  const why = (error as Error)?.message ?? String(error);
  if (!owner)
    return new CliError(
      `the database of home ${files.home} did not start (${why}): see ${files.logFile}, then try again`,
    );
  return new CliError(
    `the database of home ${files.home} is held by process ${owner.pid} on ${owner.host} (since ${owner.startedAt}), which does not answer (${why}): wait for it, or stop it with "kill ${owner.pid}", then try again`,
  );
}

/** An owner that could not open the data folder said why in its log (since `from`): that, as one sentence. */
async function openFailure(files: HomeFiles, from: number): Promise<CliError | null> {
  const text = await readFile(files.logFile, "utf8").catch(() => "");
  const failure = text
    .slice(from)
    .split("\n")
    .findLast((line) => line.includes("cannot open the embedded database"));
  if (!failure) return null;
  const free = await statfs(files.dataDir).then(
    ({ bavail, bsize }) => bavail * bsize,
    () => null,
  );
  return new CliError(
    `the embedded database of home ${files.home} could not be opened (${failure.replace(/^.*cannot open the embedded database \S+: /, "")}, see ${files.logFile}): ${openAdvice(files.dataDir, free)}`,
  );
}

/**
 * What to do about a data folder its owner could not open. On a full file system PostgreSQL cannot
 * replay its WAL, and moving the folder aside would start an empty database for nothing.
 */
export function openAdvice(dataDir: string, freeBytes: number | null): string {
  if (freeBytes !== null && freeBytes < FULL_BELOW_BYTES)
    return `the file system of ${dataDir} is full (${Math.floor(freeBytes / 2 ** 20)} MB free): free some space, then try again`;
  return `restore ${dataDir} from a backup, or move it aside to start an empty one`;
}

/**
 * What a command does when the home's database owner dies under it: a process following runs stops
 * at once, saying how to continue them (whatever it did after that moment went unrecorded, and
 * `resume` redoes it); a dashboard with no runs of its own keeps serving (its next query starts a new
 * owner); anything else stops, having changed nothing.
 */
export function databaseLost(io: CliIo, sentence: string, transfers: string[], keepServing: boolean): void {
  if (keepServing && transfers.length === 0) {
    writeLine(io.stderr, `${sentence}; a new owner takes over on the next request`);
    return;
  }
  const next =
    transfers.length > 0
      ? `continue with ${transfers.map((id) => `"stepmatica resume ${id}"`).join(", ")}`
      : "nothing was changed: run the command again";
  writeLine(io.stderr, `stepmatica: ${sentence}; ${next}`);
  process.exit(1);
}
