import type { PGlite } from "@electric-sql/pglite";

/**
 * PostgreSQL's autovacuum, for the embedded database. PGlite is one backend in single-user mode:
 * no autovacuum launcher ever runs, so every update leaves a dead row version behind for good and
 * the planner never gets statistics. A 200,000-file transfer updates each file row some six times
 * (checksum, format, characteristics, …): the files table then held over a million row versions,
 * and every page of files read through the index visited them all (issue 16).
 *
 * This runs what autovacuum would, with its default thresholds: a table is vacuumed once its dead
 * rows pass 50 + 20 % of its live ones, or its inserts since the last vacuum 1,000 + 20 %, and
 * analyzed once its changes since the last analyze pass 50 + 10 %. The owner checks every
 * `intervalMs` (the statistics view costs a millisecond), between clients' turns, one table per
 * turn, so a client waits at most one table's vacuum.
 */
export interface AutovacuumOptions {
  db: Pick<PGlite, "query" | "exec">;
  /** Runs work on the session between clients' turns (serveWire's exclusive). */
  exclusive<T>(work: () => Promise<T>): Promise<T>;
  intervalMs?: number;
  log?(line: string): void;
}

export interface TableMaintenance {
  table: string;
  vacuum: boolean;
  analyze: boolean;
}

const DEFAULT_INTERVAL_MS = 5_000;

/** The tables past autovacuum's default thresholds, and what each needs. */
export async function tablesDue(db: Pick<PGlite, "query">): Promise<TableMaintenance[]> {
  const r = await db.query<{ relname: string; vacuum: boolean; analyze: boolean }>(
    `select relname,
       n_dead_tup > 50 + 0.2 * n_live_tup or n_ins_since_vacuum > 1000 + 0.2 * n_live_tup as vacuum,
       n_mod_since_analyze > 50 + 0.1 * n_live_tup as analyze
     from pg_stat_user_tables where schemaname = 'public' order by relname`,
  );
  return r.rows
    .filter((row) => row.vacuum || row.analyze)
    .map((row) => ({ table: row.relname, vacuum: row.vacuum, analyze: row.analyze }));
}

/** Starts the checks; returns a function that stops them and waits for a vacuum under way. */
export function startAutovacuum(options: AutovacuumOptions): () => Promise<void> {
  const { db, exclusive } = options;
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let busy = false;
  const pass = async () => {
    const due = await exclusive(() => tablesDue(db));
    for (const { table, vacuum } of due) {
      if (stopped) return;
      // VACUUM (ANALYZE) does both; a table with only changes to analyze gets the cheaper ANALYZE.
      const statement = `${vacuum ? "vacuum (analyze)" : "analyze"} "${table.replaceAll('"', '""')}"`;
      await exclusive(() => db.exec(statement));
    }
  };
  const timer = setInterval(() => {
    if (busy) return; // a pass still under way: the next tick looks again
    busy = true;
    running = pass()
      .catch((error) => options.log?.(`autovacuum: ${error instanceof Error ? error.message : error}`))
      .finally(() => {
        busy = false;
      });
  }, options.intervalMs ?? DEFAULT_INTERVAL_MS);
  timer.unref();
  return async () => {
    stopped = true;
    clearInterval(timer);
    await running;
  };
}
