import type { SqlClient } from "../../ports/sql.ts";

/**
 * Versioned migrations, the same for PGlite, a PostgreSQL server and Aurora (the deploy-time custom
 * resource runs this list too). Append only: never edit a migration that has shipped.
 */
export const MIGRATIONS: Array<{ version: number; name: string; sql: string[] }> = [
  {
    version: 1,
    name: "units, executions, jobs, tasks, files, events, agents, aips",
    sql: [
      `create table units (
        id uuid primary key, type text not null, name text not null, status text not null,
        source text not null, working_path text not null, config jsonb not null, options jsonb not null,
        parent_id uuid references units(id), reason text,
        created_at timestamptz not null default now(), updated_at timestamptz not null default now(),
        heartbeat_at timestamptz, hidden boolean not null default false)`,
      "create index units_status on units(status, created_at)",
      `create table executions (
        id text primary key, workflow text not null, name text not null, unit_id uuid,
        status text not null, state text, state_input jsonb, entered_at text,
        transitions integer not null default 0, error text, cause text,
        started_at timestamptz not null default now(), updated_at timestamptz not null default now(),
        ended_at timestamptz)`,
      "create index executions_unit on executions(unit_id)",
      `create table jobs (
        id uuid primary key, unit_id uuid not null references units(id), execution_id text not null,
        name text not null, microservice text not null, description text not null, entered_at text not null,
        status text not null, exit_code integer, task_token text, task_count integer not null,
        output jsonb, created_at timestamptz not null default now(), ended_at timestamptz,
        unique (execution_id, name, entered_at))`,
      "create index jobs_unit on jobs(unit_id, created_at)",
      `create table tasks (
        id uuid primary key, job_id uuid not null references jobs(id), seq integer not null,
        module text not null, queue text not null, arguments jsonb not null, file_ids jsonb not null,
        status text not null default 'queued', attempt integer not null default 0, lease_expires timestamptz,
        exit_code integer, stdout text not null default '', stderr text not null default '', output jsonb,
        started_at timestamptz, ended_at timestamptz, unique (job_id, seq))`,
      "create index tasks_job_status on tasks(job_id, status)",
      `create table files (
        id uuid primary key, unit_id uuid not null, path text not null, original_path text not null,
        size bigint not null, sha256 text, file_group text not null, puid text, format_name text,
        format_version text, mime text, derived_from uuid, removed boolean not null default false,
        created_at timestamptz not null default now(), characteristics jsonb)`,
      "create index files_unit_path on files(unit_id, path)",
      `create table events (
        id uuid primary key, unit_id uuid not null, file_id uuid, task_id uuid, type text not null,
        date_time timestamptz not null, detail text not null, outcome text not null,
        outcome_detail text not null, agents jsonb not null)`,
      "create index events_unit on events(unit_id, date_time)",
      `create table agents (
        id uuid primary key, type text not null, name text not null,
        identifier_type text not null, identifier_value text not null)`,
      `create table aips (
        id uuid primary key, unit_id uuid not null, location text not null, sha256 text,
        size bigint not null, verified_at timestamptz, created_at timestamptz not null default now())`,
    ],
  },
  {
    version: 2,
    name: "decisions: decision points waiting for (or answered by) an operator",
    sql: [
      `create table decisions (
        id uuid primary key, unit_id uuid not null references units(id), key text not null,
        description text not null, choices jsonb not null, answer jsonb, task_token text,
        created_at timestamptz not null default now(), answered_at timestamptz, answered_by text,
        unique (unit_id, key))`,
      "create index decisions_pending on decisions(created_at) where answered_at is null",
    ],
  },
  {
    version: 3,
    name: "tasks: lease_ms (a claim is one statement); updates that can stay on their page",
    sql: [
      "alter table tasks add column lease_ms integer not null default 300000",
      // A task row is updated twice (claimed, done). Indexing status made every update rewrite the
      // index; unique (job_id, seq) already serves lookups by job, and free space lets updates stay in place.
      "drop index tasks_job_status",
      "alter table tasks set (fillfactor = 70)",
    ],
  },
  {
    version: 4,
    name: "tasks: cpu_s and peak_rss_mb, what each task cost (its process tree, tools included); events by file",
    sql: [
      "alter table tasks add column cpu_s double precision",
      "alter table tasks add column peak_rss_mb double precision",
      // The METS reads a page of files' events at a time, by file.
      "create index events_file on events(file_id)",
    ],
  },
  {
    version: 5,
    name: "files: the METS's orders (paths in code points, folder trees) and derivatives, by index",
    sql: [
      // The METS pages a unit's files by path in code points and by folder tree (core/store/mets-reads.ts),
      // whatever the database's collation; without these each page would sort the whole unit.
      `create index files_unit_path_c on files(unit_id, path collate "C", id)`,
      `create index files_unit_tree on files(unit_id, (string_to_array(path, '/') collate "C"), id)`,
      "create index files_derived_from on files(derived_from) where derived_from is not null",
    ],
  },
  {
    version: 6,
    name: "files: room on each page for the updates of the jobs that follow",
    sql: ["alter table files set (fillfactor = 50)"],
  },
  {
    version: 7,
    name: "events and files: statistics only of what queries filter on",
    // ANALYZE sorts a sample of every column: 60,000 events took 160-180 ms, most of it the free
    // texts no query filters on, and the embedded database analyzes while its clients wait
    // (pglite-autovacuum.ts), four times in a 10,000-file run. With these: 16-20 ms. Columns that
    // queries filter or join on keep a small histogram; those no query filters on keep none.
    sql: [
      ...["detail", "outcome_detail", "agents"].map(
        (c) => `alter table events alter column ${c} set statistics 0`,
      ),
      ...["id", "unit_id", "file_id", "task_id", "type", "date_time", "outcome"].map(
        (c) => `alter table events alter column ${c} set statistics 10`,
      ),
      ...["characteristics", "sha256", "size", "format_name", "format_version", "mime", "created_at"].map(
        (c) => `alter table files alter column ${c} set statistics 0`,
      ),
    ],
  },
  {
    version: 8,
    name: "files: small statistics for the columns queries filter on and the folder-tree index",
    // ANALYZE samples 300 rows per point of the largest statistics target among a table's columns
    // and index expressions: version 7 left the files table's filter columns and the folder-tree
    // index's string_to_array(path) at the default of 100, so it still sampled 30,000 rows and
    // split and sorted every sampled path. A home with 40,010 files: 185-292 ms an ANALYZE of
    // files, the clients waiting, three or four times a 10,000-file run; with these 24-29 ms.
    sql: [
      ...["id", "unit_id", "path", "original_path", "file_group", "puid", "derived_from", "removed"].map(
        (c) => `alter table files alter column ${c} set statistics 10`,
      ),
      // The index's second column is the expression (unit_id, string_to_array(path, '/'), id).
      "alter index files_unit_tree alter column 2 set statistics 10",
    ],
  },
  {
    version: 9,
    name: "files: the folder-tree order by a text key instead of an array of path segments",
    // An array key made every insert, move and non-HOT update of a file build string_to_array(path)
    // and compare arrays down the index. 10,240 files in PGlite: the pipeline's upsert 508 -> 465 ms
    // (medians of 8), plain inserts 423-441 -> 223-231 ms, moving them 168-182 -> 142-159 ms. The key
    // orders exactly as the segments do (folder-tree-key.ts, whose expression the queries use:
    // written out here, as a shipped migration never changes).
    sql: [
      "drop index files_unit_tree",
      `create index files_unit_tree_key on files(unit_id, (replace(replace(path, E'\\x01', E'\\x01\\x02'), '/', E'\\x01\\x01') collate "C"), id)`,
      "alter index files_unit_tree_key alter column 2 set statistics 10",
    ],
  },
];

/** Applies the migrations not yet applied, each in its own transaction; safe to run concurrently. */
export async function migrate(sql: SqlClient): Promise<number[]> {
  await sql.query(
    "create table if not exists schema_migrations (version integer primary key, name text not null, applied_at timestamptz not null default now())",
  );
  const applied: number[] = [];
  for (const migration of MIGRATIONS) {
    const done = await sql.transaction(async (tx) => {
      // An advisory lock keeps two processes from applying the same migration at once.
      await tx.query("select pg_advisory_xact_lock(727001)");
      const seen = await tx.query("select 1 from schema_migrations where version = $1", [migration.version]);
      if (seen.rowCount > 0) return false;
      for (const statement of migration.sql) await tx.query(statement);
      await tx.query("insert into schema_migrations (version, name) values ($1, $2)", [
        migration.version,
        migration.name,
      ]);
      return true;
    });
    if (done) applied.push(migration.version);
  }
  return applied;
}
