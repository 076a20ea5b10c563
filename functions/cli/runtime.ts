import { mkdir } from "node:fs/promises";
import { cpus, userInfo } from "node:os";
import path from "node:path";
import { type AslDefinition, substitute } from "../../workflows/compile.ts";
import { compiled, type WorkflowName } from "../../workflows/index.ts";
import { ExecutionStore } from "../adapters/local/execution-store.ts";
import { FolderObjectStore } from "../adapters/local/folder-object-store.ts";
import { LOCAL_ARNS, LocalWorkflowEngine } from "../adapters/local/local-engine.ts";
import { MemoryInFlight } from "../adapters/local/memory-in-flight.ts";
import { MemoryQueue } from "../adapters/local/memory-queue.ts";
import { PgSql } from "../adapters/sql/pg.ts";
import { dispatchJob } from "../core/dispatch-job.ts";
import { keepHeapNearLiveSize } from "../core/heap-growth.ts";
import { defaultAgents } from "../core/ids.ts";
import { aslWithTimeouts, declarationsWith, type JobTimeouts } from "../core/job-timeouts.ts";
import { TaskStore } from "../core/store/task-store.ts";
import type { TaskModule } from "../core/task-module.ts";
import { runWatchdog, WATCHDOG_MARGIN_SECONDS } from "../core/watchdog.ts";
import { WorkerPool } from "../core/worker-pool.ts";
import type { InFlight } from "../ports/in-flight.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import type { SqlClient } from "../ports/sql.ts";
import type { TaskQueue } from "../ports/task-queue.ts";
import { TASK_MODULES } from "../tasks/index.ts";
import { databaseLost, openHomeDatabase } from "./home-database.ts";
import { type CliIo, homeOf } from "./io.ts";
import { claimOwnership } from "./owners.ts";

/** Wrappers around the ports (the benchmark counts calls through them). */
export interface RuntimeInstruments {
  sql?(inner: SqlClient): SqlClient;
  queue?(inner: TaskQueue): TaskQueue;
  objects?(inner: ObjectStore): ObjectStore;
}

export interface RuntimeOptions {
  instrument?: RuntimeInstruments;
  /** STEPMATICA_HOME: the embedded database and the working folders. */
  home: string;
  /** Where AIPs are stored (the local AIP store). */
  out: string;
  /** Where DIPs are stored (default: <out>/dips). */
  dipOut?: string;
  databaseUrl?: string;
  redisUrl?: string;
  /** The command's environment (STEPMATICA_DB_IDLE_SECONDS reaches the home's database owner). */
  env?: NodeJS.ProcessEnv;
  /** A PostgreSQL schema for this runtime's tables (tests isolate themselves with one). */
  schema?: string;
  redisKeyPrefix?: string;
  concurrency?: { light: number; heavy: number };
  /** Start the worker pool (false for read-only commands such as status and list). */
  workers?: boolean;
  onTransition?(execution: string, state: string): void;
  /**
   * The ASL to run, placeholders already substituted (default: the compiler's output with LOCAL_ARNS).
   * The infra tests pass the definitions extracted from the synthesized CloudFormation template.
   */
  definitions?: Record<WorkflowName, AslDefinition>;
  /** The task modules by name (default: TASK_MODULES; the idempotence test wraps each one). */
  modules?: ReadonlyMap<string, TaskModule>;
  /** Per-job timeout overrides in seconds (STEPMATICA_JOB_TIMEOUTS; see core/job-timeouts.ts). */
  jobTimeouts?: JobTimeouts;
  /**
   * The home's database owner went away (killed, or failed). `transfers` are the runs this process
   * was following: their progress after that moment was not recorded. Default: a line on stderr.
   */
  onDatabaseLost?(sentence: string, transfers: string[]): void;
  /** The watchdog pass that fails stalled units (core/watchdog.ts): how often, and the slack; false: never. */
  watchdog?: { intervalMs?: number; marginSeconds?: number } | false;
}

export type Runtime = Awaited<ReturnType<typeof openRuntime>>;

/** How often a run marks its units alive, and how old a mark may be before the run counts as interrupted. */
export const HEARTBEAT_MS = 5_000;
export const STALE_AFTER_MS = 20_000;

/**
 * Wires the embedded stand-ins behind the ports: PGlite (or pg with DATABASE_URL), memory in-flight
 * sets (or Redis with REDIS_URL), the in-process queue and engine running the compiled ASL, a
 * folder as the AIP store, and a worker pool sized to the CPUs.
 */
export async function openRuntime(options: RuntimeOptions) {
  const home = path.resolve(options.home);
  const workRoot = path.join(home, "work");
  await mkdir(workRoot, { recursive: true });
  let sql: SqlClient;
  const following = new Set<string>();
  if (options.databaseUrl) {
    sql = await PgSql.open(options.databaseUrl, options.schema ? { schema: options.schema } : {});
  } else {
    // One owner process serves the home's embedded database to every process using the home.
    sql = await openHomeDatabase(home, {
      ...(options.env ? { env: options.env } : {}),
      onLost: (sentence) =>
        options.onDatabaseLost
          ? options.onDatabaseLost(sentence, [...following])
          : process.stderr.write(`${sentence}\n`),
    });
  }
  if (options.instrument?.sql) sql = options.instrument.sql(sql);
  const store = new TaskStore(sql);
  await store.migrate();
  const agents = defaultAgents({ user: safeUser() });
  await store.upsertAgents(agents);

  let inFlight: InFlight;
  if (options.redisUrl) {
    const { RedisInFlight } = await import("../adapters/redis/in-flight.ts");
    inFlight = new RedisInFlight({
      url: options.redisUrl,
      ...(options.redisKeyPrefix ? { keyPrefix: options.redisKeyPrefix } : {}),
    });
  } else inFlight = new MemoryInFlight();

  const memoryQueue = new MemoryQueue();
  const queue = options.instrument?.queue?.(memoryQueue) ?? memoryQueue;
  const folder = new FolderObjectStore(path.resolve(options.out));
  const objects = options.instrument?.objects?.(folder) ?? folder;
  const dips = new FolderObjectStore(path.resolve(options.dipOut ?? path.join(options.out, "dips")));
  const executions = new ExecutionStore(sql);
  const timeouts = options.jobTimeouts ?? {};
  const declarations = declarationsWith(timeouts);
  const definitions = options.definitions ?? {
    transfer: substitute(compiled("transfer"), LOCAL_ARNS),
    ingest: substitute(compiled("ingest"), LOCAL_ARNS),
  };
  const engine: LocalWorkflowEngine = new LocalWorkflowEngine({
    definitions: {
      transfer: aslWithTimeouts(definitions.transfer, timeouts),
      ingest: aslWithTimeouts(definitions.ingest, timeouts),
    },
    executions,
    dispatchJob: async (payload) => {
      await dispatchJob({ store, queue, inFlight, engine }, payload);
    },
    ...(options.onTransition ? { onTransition: options.onTransition } : {}),
  });
  const cpuCount = Math.max(1, cpus().length);
  const pool = new WorkerPool(
    {
      store,
      inFlight,
      engine,
      modules: options.modules ?? TASK_MODULES,
      objects,
      dips,
      workRoot,
      agents,
      declarations,
    },
    queue,
    {
      // Two heavy tasks more than cores: while one task's result and the next claim go to the
      // database and another lists its files, the others' tools keep the cores busy (ExifTool keeps
      // one process per core; characterization's cores busy 1.71-1.74 with one slot per core,
      // 1.78-1.81 with one more). A 10,000-file transfer's four virus-scan batches run at once:
      // the scan 1.82-2.36 -> 1.69-1.89 s with four slots against three (BENCHMARKS.md). Without
      // clamd, each clamscan holds the official databases (about 1 GB): the README says to run clamd.
      concurrency: options.concurrency ?? { light: cpuCount * 2, heavy: cpuCount + 2 },
      onError: (error) => process.stderr.write(`worker: ${(error as Error).message ?? error}\n`),
    },
  );
  if (options.workers !== false) {
    keepHeapNearLiveSize();
    pool.start();
  }

  const alive = new Set<string>();
  const beat = setInterval(() => {
    store.heartbeat([...alive]).catch(() => {});
  }, HEARTBEAT_MS);
  beat.unref();

  const watchdogOptions = options.watchdog === false ? null : (options.watchdog ?? {});
  const marginSeconds = watchdogOptions?.marginSeconds ?? WATCHDOG_MARGIN_SECONDS;
  let watching: Promise<unknown> | null = null;
  /** One watchdog pass (never two at once): fails units stalled longer than their job's timeout + margin. */
  const watchdog = () => {
    watching ??= runWatchdog(
      { store, engine, inFlight, declarations },
      {
        marginSeconds,
        onError: (error) => process.stderr.write(`watchdog: ${(error as Error).message ?? error}\n`),
      },
    ).finally(() => {
      watching = null;
    });
    return watching as ReturnType<typeof runWatchdog>;
  };
  const watchdogTimer =
    watchdogOptions && options.workers !== false
      ? setInterval(() => {
          watchdog().catch((error: unknown) =>
            process.stderr.write(`watchdog: ${(error as Error).message ?? error}\n`),
          );
        }, watchdogOptions.intervalMs ?? 60_000)
      : null;
  watchdogTimer?.unref();

  return {
    home,
    workRoot,
    sql,
    store,
    inFlight,
    queue,
    objects,
    executions,
    engine,
    pool,
    agents,
    watchdog,
    /**
     * Marks a unit as being processed by this process (its heartbeat keeps it from looking
     * interrupted); `transferId` is the run it belongs to (itself for a transfer).
     */
    async keepAlive(unitId: string, transferId = unitId) {
      alive.add(unitId);
      following.add(transferId);
      await claimOwnership(workRoot, unitId);
      await store.heartbeat([unitId]);
    },
    /** The run is over in this process (it finished, or it is left to another). */
    release(transferId: string) {
      following.delete(transferId);
    },
    async close() {
      clearInterval(beat);
      if (watchdogTimer) clearInterval(watchdogTimer);
      await watching?.catch(() => {});
      engine.stop();
      await pool.stop();
      await queue.close();
      await inFlight.close();
      await sql.close();
    },
  };
}

function safeUser(): string {
  try {
    return process.env.STEPMATICA_USER ?? userInfo().username;
  } catch {
    return "stepmatica";
  }
}

/**
 * The runtime a command opens, from its environment: STEPMATICA_HOME, DATABASE_URL, and REDIS_URL
 * (only when it runs workers: reading the store needs no in-flight sets). `out` is relative to the
 * command's working folder (default ./aips).
 */
export function openCliRuntime(
  io: CliIo,
  options: Omit<Partial<RuntimeOptions>, "home"> & { keepServing?: boolean } = {},
) {
  const workers = options.workers !== false;
  return openRuntime({
    onDatabaseLost: (sentence, transfers) =>
      databaseLost(io, sentence, transfers, options.keepServing ?? false),
    ...options,
    home: homeOf(io),
    env: io.env,
    out: path.resolve(io.cwd, options.out ?? "aips"),
    ...(io.env.DATABASE_URL ? { databaseUrl: io.env.DATABASE_URL } : {}),
    ...(workers && io.env.REDIS_URL ? { redisUrl: io.env.REDIS_URL } : {}),
  });
}
