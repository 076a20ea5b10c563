import type { SqlClient, SqlValue } from "../../ports/sql.ts";
import type {
  AgentRecord,
  AipRecord,
  EventRecord,
  FileRecord,
  JobRecord,
  TaskRecord,
  UnitOptions,
  UnitRecord,
  UnitStatus,
} from "../model.ts";
import type { FileMove, FilePageOptions, RankedFile, StoreReader, TaskOutcome } from "../task-module.ts";
import { eventInsertSelect, FILE_COLUMNS, type FileUpdate, fileUpdateParts } from "./file-writes.ts";
import * as metsReads from "./mets-reads.ts";
import { migrate } from "./migrations.ts";
import {
  agentFromRow,
  aipFromRow,
  COLUMNS_BUT_CHARACTERISTICS,
  eventFromRow,
  fileFromRow,
  fileToJson,
  jobFromRow,
  taskFromRow,
  toJson,
  unitFromRow,
} from "./rows.ts";

export interface UnitPatch {
  status?: UnitStatus;
  reason?: string | null;
  name?: string;
  workingPath?: string;
  hidden?: boolean;
  /** Merged into the stored options. */
  options?: UnitOptions;
  /** Merged into the stored processing configuration (an operator's answer to a decision). */
  config?: Record<string, unknown>;
}

export interface UnitQuery {
  status?: UnitStatus;
  search?: string;
  includeHidden?: boolean;
  limit?: number;
  offset?: number;
}

/** How long a claimed task is held before another consumer may take it over, unless dispatched with its own. */
export const DEFAULT_LEASE_MS = 300_000;

/** The most rows one statement of a paged read returns (files, events). */
export const PAGE_ROWS = 2000;

/** A page is 1 to PAGE_ROWS rows: a larger one would hold what paging is for not holding. */
function checkPageLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > PAGE_ROWS)
    throw new RangeError(`a page is 1 to ${PAGE_ROWS} rows, not ${limit}`);
}

/** A task without its batch's file ids: how many files it had. */
export type TaskSummary = Omit<TaskRecord, "fileIds"> & { files: number };

/** A finished task's result as recorded; resources are what it cost (core/task-meter.ts). */
export interface TaskResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  resources?: { cpuS: number; peakRssMb: number };
}

export interface ClaimedTask {
  task: TaskRecord;
  job: JobRecord;
  unit: UnitRecord;
  files: FileRecord[];
  attempt: number;
}

export interface NewJob {
  job: Omit<JobRecord, "createdAt" | "endedAt" | "exitCode" | "status">;
  tasks: Array<
    Pick<TaskRecord, "id" | "seq" | "module" | "queue" | "arguments" | "fileIds"> & { leaseMs?: number }
  >;
}

/**
 * The source of truth for units, jobs, tasks, files, PREMIS events and AIPs, written once over the
 * SqlClient port (PGlite, pg or the RDS Data API). Every write that can repeat is conditional or
 * an upsert, so a redelivered message or a retried call changes nothing the second time.
 */
export class TaskStore implements StoreReader {
  constructor(readonly sql: SqlClient) {}

  migrate(): Promise<number[]> {
    return migrate(this.sql);
  }

  // ---- units
  async createUnit(unit: UnitRecord): Promise<{ unit: UnitRecord; created: boolean }> {
    const inserted = await this.sql.query(
      `insert into units (id, type, name, status, source, working_path, config, options, parent_id, reason, hidden)
       values ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11) on conflict (id) do nothing returning *`,
      [
        unit.id,
        unit.type,
        unit.name,
        unit.status,
        unit.source,
        unit.workingPath,
        unit.config,
        unit.options as Record<string, unknown>,
        unit.parentId,
        unit.reason,
        unit.hidden,
      ],
    );
    if (inserted.rowCount > 0) return { unit: unitFromRow(inserted.rows[0]!), created: true };
    return { unit: (await this.getUnit(unit.id))!, created: false };
  }

  async getUnit(id: string): Promise<UnitRecord | null> {
    const r = await this.sql.query("select * from units where id = $1", [id]);
    return r.rows[0] ? unitFromRow(r.rows[0]) : null;
  }

  async listUnits(q: UnitQuery = {}): Promise<{ units: UnitRecord[]; total: number }> {
    const where: string[] = [];
    const params: SqlValue[] = [];
    if (!q.includeHidden) where.push("hidden = false");
    if (q.status) where.push(`status = $${params.push(q.status)}`);
    if (q.search) where.push(`name ilike $${params.push(`%${q.search.replace(/[%_\\]/g, "\\$&")}%`)}`);
    const clause = where.length ? `where ${where.join(" and ")}` : "";
    const total = await this.sql.query<{ n: number }>(
      `select count(*)::int as n from units ${clause}`,
      params,
    );
    const limit = Math.min(q.limit ?? 50, 500);
    const rows = await this.sql.query(
      `select * from units ${clause} order by created_at desc, id limit ${limit} offset ${Math.max(0, q.offset ?? 0)}`,
      params,
    );
    return { units: rows.rows.map(unitFromRow), total: Number(total.rows[0]?.n ?? 0) };
  }

  async updateUnit(id: string, patch: UnitPatch): Promise<void> {
    const sets: string[] = ["updated_at = now()"];
    const params: SqlValue[] = [id];
    if (patch.status !== undefined) sets.push(`status = $${params.push(patch.status)}`);
    if (patch.reason !== undefined) sets.push(`reason = $${params.push(patch.reason)}`);
    if (patch.name !== undefined) sets.push(`name = $${params.push(patch.name)}`);
    if (patch.workingPath !== undefined) sets.push(`working_path = $${params.push(patch.workingPath)}`);
    if (patch.hidden !== undefined) sets.push(`hidden = $${params.push(patch.hidden)}`);
    if (patch.config !== undefined) sets.push(`config = config || $${params.push(patch.config)}::jsonb`);
    if (patch.options !== undefined) {
      sets.push(`options = options || $${params.push(patch.options as Record<string, unknown>)}::jsonb`);
    }
    await this.sql.query(`update units set ${sets.join(", ")} where id = $1`, params);
  }

  /** Marks units as alive (a run's process beats every few seconds; a stale beat means interrupted). */
  async heartbeat(unitIds: string[]): Promise<void> {
    if (unitIds.length === 0) return;
    await this.sql.query(
      "update units set heartbeat_at = now() where id = any(array(select jsonb_array_elements_text($1::jsonb)::uuid))",
      [unitIds],
    );
  }

  // ---- jobs and tasks
  async findJob(executionId: string, name: string, enteredAt: string): Promise<JobRecord | null> {
    const r = await this.sql.query(
      "select * from jobs where execution_id = $1 and name = $2 and entered_at = $3",
      [executionId, name, enteredAt],
    );
    return r.rows[0] ? jobFromRow(r.rows[0]) : null;
  }

  /** Inserts a job and its tasks in one transaction; returns false when the job already existed. */
  async createJob({ job, tasks }: NewJob): Promise<boolean> {
    return this.sql.transaction(async (tx) => {
      const r = await tx.query(
        `insert into jobs (id, unit_id, execution_id, name, microservice, description, entered_at, status, task_token, task_count)
         values ($1,$2,$3,$4,$5,$6,$7,'running',$8,$9) on conflict (execution_id, name, entered_at) do nothing returning id`,
        [
          job.id,
          job.unitId,
          job.executionId,
          job.name,
          job.microservice,
          job.description,
          job.enteredAt,
          job.taskToken,
          job.taskCount,
        ],
      );
      if (r.rowCount === 0) return false;
      if (tasks.length > 0) {
        const rows = tasks.map((t) => ({
          id: t.id,
          job_id: job.id,
          seq: t.seq,
          module: t.module,
          queue: t.queue,
          arguments: t.arguments,
          file_ids: t.fileIds,
          lease_ms: t.leaseMs ?? DEFAULT_LEASE_MS,
        }));
        await tx.query(
          `insert into tasks (id, job_id, seq, module, queue, arguments, file_ids, lease_ms)
           select * from jsonb_to_recordset($1::jsonb) as t(id uuid, job_id uuid, seq integer, module text, queue text,
             arguments jsonb, file_ids jsonb, lease_ms integer)`,
          [rows],
        );
      }
      return true;
    });
  }

  async findJobByToken(token: string): Promise<JobRecord | null> {
    const r = await this.sql.query(
      "select * from jobs where task_token = $1 order by created_at desc limit 1",
      [token],
    );
    return r.rows[0] ? jobFromRow(r.rows[0]) : null;
  }

  async setJobToken(jobId: string, token: string): Promise<void> {
    await this.sql.query("update jobs set task_token = $2 where id = $1", [jobId, token]);
  }

  async getJob(id: string): Promise<JobRecord | null> {
    const r = await this.sql.query("select * from jobs where id = $1", [id]);
    return r.rows[0] ? jobFromRow(r.rows[0]) : null;
  }

  async listJobs(unitId: string): Promise<JobRecord[]> {
    const r = await this.sql.query("select * from jobs where unit_id = $1 order by created_at, id", [unitId]);
    return r.rows.map(jobFromRow);
  }

  /** The job's result from its tasks: exit code is the max of the tasks' exit codes. */
  async jobResult(jobId: string): Promise<{ exitCode: number; outputs: Array<Record<string, unknown>> }> {
    const r = await this.sql.query<{ exit_code: number | null; output: unknown }>(
      "select exit_code, output from tasks where job_id = $1 and status = 'done' order by seq",
      [jobId],
    );
    const exitCode = r.rows.reduce((max, row) => Math.max(max, Number(row.exit_code ?? 0)), 0);
    const outputs = r.rows
      .map((row) => toJson<Record<string, unknown> | null>(row.output))
      .filter((o): o is Record<string, unknown> => o !== null && o !== undefined);
    return { exitCode, outputs };
  }

  /** Settles a running job once; returns false when it was already settled (a second completer). */
  async finishJob(jobId: string, exitCode: number, output: Record<string, unknown>): Promise<boolean> {
    const r = await this.sql.query(
      `update jobs set status = $2, exit_code = $3, output = $4, ended_at = now()
       where id = $1 and status = 'running' returning id`,
      [jobId, exitCode === 0 ? "completed" : "failed", exitCode, output],
    );
    return r.rowCount > 0;
  }

  /**
   * Claims tasks (as claimTask, each with the lease it was dispatched with) and returns them with
   * their jobs, units and files (without their characteristics, see TaskContext.files), in one
   * statement: the task runner's common path. A task that is done, held by a live lease or missing
   * is left out.
   */
  async claimTasksInContext(ids: string[]): Promise<ClaimedTask[]> {
    if (ids.length === 0) return [];
    const r = await this.sql.query(
      `with claimed as (
         update tasks set status = 'running', attempt = attempt + 1, started_at = now(),
           lease_expires = now() + (lease_ms * interval '1 millisecond')
         where id = any(array(select jsonb_array_elements_text($1::jsonb)::uuid))
           and (status = 'queued' or (status = 'running' and lease_expires < now()))
         returning *)
       select row_to_json(c) as task, row_to_json(j) as job, row_to_json(u) as unit,
         (select coalesce(json_agg(f order by f.path, f.id), '[]'::json) from (
            select ${COLUMNS_BUT_CHARACTERISTICS} from files
            where id = any(array(select jsonb_array_elements_text(c.file_ids)::uuid))) f) as files
       from claimed c join jobs j on j.id = c.job_id join units u on u.id = j.unit_id`,
      [ids],
    );
    return r.rows.map((row) => {
      const task = taskFromRow(toJson<Record<string, unknown>>(row.task));
      return {
        task,
        job: jobFromRow(toJson<Record<string, unknown>>(row.job)),
        unit: unitFromRow(toJson<Record<string, unknown>>(row.unit)),
        files: toJson<Array<Record<string, unknown>>>(row.files).map(fileFromRow),
        attempt: task.attempt,
      };
    });
  }

  /**
   * Records the results of several tasks that changed nothing else, in one statement; each only if
   * its attempt still holds it. Returns the ids recorded.
   */
  async completeTasks(
    items: Array<{
      taskId: string;
      attempt: number;
      result: TaskResult;
      output?: Record<string, unknown>;
    }>,
  ): Promise<Set<string>> {
    if (items.length === 0) return new Set();
    const rows = items.map((i) => ({
      id: i.taskId,
      attempt: i.attempt,
      exit_code: i.result.exitCode,
      stdout: i.result.stdout,
      stderr: i.result.stderr,
      output: i.output ?? null,
      cpu_s: i.result.resources?.cpuS ?? null,
      peak_rss_mb: i.result.resources?.peakRssMb ?? null,
    }));
    const r = await this.sql.query<{ id: string }>(
      `update tasks t set status = 'done', exit_code = r.exit_code, stdout = r.stdout, stderr = r.stderr,
         output = r.output, ended_at = now(), lease_expires = null, cpu_s = r.cpu_s, peak_rss_mb = r.peak_rss_mb
       from jsonb_to_recordset($1::jsonb) as r(id uuid, attempt integer, exit_code integer, stdout text, stderr text,
         output jsonb, cpu_s double precision, peak_rss_mb double precision)
       where t.id = r.id and t.attempt = r.attempt and t.status = 'running' returning t.id`,
      [rows],
    );
    return new Set(r.rows.map((row) => String(row.id)));
  }

  /** A task with its job and unit, in one round trip (the task runner's first read). */
  async getTaskInContext(id: string): Promise<{ task: TaskRecord; job: JobRecord; unit: UnitRecord } | null> {
    const r = await this.sql.query(
      `select row_to_json(t) as task, row_to_json(j) as job, row_to_json(u) as unit
       from tasks t join jobs j on j.id = t.job_id join units u on u.id = j.unit_id where t.id = $1`,
      [id],
    );
    const row = r.rows[0];
    if (!row) return null;
    return {
      task: taskFromRow(toJson<Record<string, unknown>>(row.task)),
      job: jobFromRow(toJson<Record<string, unknown>>(row.job)),
      unit: unitFromRow(toJson<Record<string, unknown>>(row.unit)),
    };
  }

  async getTask(id: string): Promise<TaskRecord | null> {
    const r = await this.sql.query("select * from tasks where id = $1", [id]);
    return r.rows[0] ? taskFromRow(r.rows[0]) : null;
  }

  async listTasks(jobId: string): Promise<TaskRecord[]> {
    const r = await this.sql.query("select * from tasks where job_id = $1 order by seq", [jobId]);
    return r.rows.map(taskFromRow);
  }

  /**
   * A job's tasks as status shows them: how many files each had, not their ids (a job of a
   * 200,000-file unit names every file in its tasks' batches).
   */
  async listTaskSummaries(jobId: string): Promise<TaskSummary[]> {
    const r = await this.sql.query(
      `select id, job_id, seq, module, queue, arguments, '[]'::jsonb as file_ids, status, attempt,
         lease_expires, exit_code, stdout, stderr, started_at, ended_at, cpu_s, peak_rss_mb,
         jsonb_array_length(file_ids) as file_count
       from tasks where job_id = $1 order by seq`,
      [jobId],
    );
    return r.rows.map((row) => {
      const { fileIds: _ids, ...task } = taskFromRow(row);
      return { ...task, files: Number(row.file_count) };
    });
  }

  async unfinishedTaskIds(jobId: string): Promise<string[]> {
    const r = await this.sql.query<{ id: string }>(
      "select id from tasks where job_id = $1 and status <> 'done' order by seq",
      [jobId],
    );
    return r.rows.map((row) => String(row.id));
  }

  /**
   * Claims a task for one attempt: wins if the task is queued or its lease ran out (a crashed
   * consumer). Returns the attempt number won, or null when another consumer holds it or it is done.
   */
  async claimTask(taskId: string, leaseMs: number): Promise<number | null> {
    const r = await this.sql.query<{ attempt: number }>(
      `update tasks set status = 'running', attempt = attempt + 1, started_at = now(),
         lease_expires = now() + ($2::int * interval '1 millisecond')
       where id = $1 and (status = 'queued' or (status = 'running' and lease_expires < now()))
       returning attempt`,
      [taskId, Math.round(leaseMs)],
    );
    return r.rows[0] ? Number(r.rows[0].attempt) : null;
  }

  async extendLease(taskId: string, attempt: number, leaseMs: number): Promise<void> {
    await this.sql.query(
      `update tasks set lease_expires = now() + ($3::int * interval '1 millisecond')
       where id = $1 and attempt = $2 and status = 'running'`,
      [taskId, attempt, Math.round(leaseMs)],
    );
  }

  /**
   * After the process that ran a unit died: its running tasks go back to the queue at once instead
   * of waiting for their leases to run out. Only for a unit no live process is working on.
   */
  async requeueRunningTasks(unitId: string): Promise<number> {
    const r = await this.sql.query(
      `update tasks set status = 'queued', lease_expires = null
       where status = 'running' and job_id in (select id from jobs where unit_id = $1)`,
      [unitId],
    );
    return r.rowCount;
  }

  /** Progress of the newest running job of these units: tasks and the files they cover, done / total. */
  async runningJobProgress(unitIds: string[]) {
    const r = await this.sql.query<Record<string, unknown>>(
      `select j.description, count(t.id)::int as tasks,
         count(t.id) filter (where t.status = 'done')::int as tasks_done,
         coalesce(sum(jsonb_array_length(t.file_ids)), 0)::int as files,
         coalesce(sum(jsonb_array_length(t.file_ids)) filter (where t.status = 'done'), 0)::int as files_done
       from jobs j left join tasks t on t.job_id = j.id
       where j.unit_id = any(array(select jsonb_array_elements_text($1::jsonb)::uuid)) and j.status = 'running'
       group by j.id, j.description, j.created_at order by j.created_at desc limit 1`,
      [unitIds],
    );
    const row = r.rows[0];
    if (!row) return null;
    return {
      description: String(row.description),
      tasks: Number(row.tasks),
      tasksDone: Number(row.tasks_done),
      files: Number(row.files),
      filesDone: Number(row.files_done),
    };
  }

  /** Units made from this one (the SIP of a transfer). */
  async listChildren(unitId: string): Promise<UnitRecord[]> {
    const r = await this.sql.query("select * from units where parent_id = $1 order by created_at, id", [
      unitId,
    ]);
    return r.rows.map(unitFromRow);
  }

  /** Gives a claimed task back (graceful shutdown) so another consumer takes it at once. */
  async releaseTask(taskId: string, attempt: number): Promise<void> {
    await this.sql.query(
      "update tasks set status = 'queued', lease_expires = null where id = $1 and attempt = $2 and status = 'running'",
      [taskId, attempt],
    );
  }

  /** Whether a task outcome writes anything besides the task's own result. */
  static writesOf(outcome: TaskOutcome): number {
    return (
      (outcome.newUnits?.length ?? 0) +
      (outcome.newFiles?.length ?? 0) +
      (outcome.fileUpdates?.length ?? 0) +
      (outcome.moveFiles ? 1 : 0) +
      (outcome.events?.length ?? 0) +
      (outcome.aip ? 1 : 0) +
      (outcome.unitUpdate ? 1 : 0)
    );
  }

  /**
   * Records a task's result and everything it changed, atomically, only if this attempt still
   * holds the task. Returns false when it does not (another attempt finished it first).
   */
  async completeTask(
    taskId: string,
    attempt: number,
    result: TaskResult,
    outcome: TaskOutcome,
    unitId?: string,
  ): Promise<boolean> {
    const params: SqlValue[] = [
      taskId,
      attempt,
      result.exitCode,
      result.stdout,
      result.stderr,
      outcome.output ?? null,
      result.resources?.cpuS ?? null,
      result.resources?.peakRssMb ?? null,
    ];
    const recordTask = `update tasks set status = 'done', exit_code = $3, stdout = $4, stderr = $5, output = $6,
         ended_at = now(), lease_expires = null, cpu_s = $7, peak_rss_mb = $8
       where id = $1 and attempt = $2 and status = 'running' returning id`;
    // Nothing else to write: one conditional statement is atomic on its own.
    if (TaskStore.writesOf(outcome) === 0) return (await this.sql.query(recordTask, params)).rowCount > 0;
    if (TaskStore.fitsOneStatement(outcome)) return this.completeInOneStatement(recordTask, params, outcome);
    return this.sql.transaction(async (tx) => {
      if ((await tx.query(recordTask, params)).rowCount === 0) return false;
      const writer = new TaskStore(tx);
      for (const unit of outcome.newUnits ?? []) await writer.createUnit(unit);
      if (outcome.newFiles?.length) await writer.upsertFiles(outcome.newFiles);
      if (outcome.fileUpdates?.length) await writer.updateFiles(outcome.fileUpdates);
      if (outcome.moveFiles) await writer.moveFiles(outcome.moveFiles);
      if (outcome.events?.length) await writer.insertEvents(outcome.events);
      if (outcome.aip) await writer.recordAip(outcome.aip);
      if (outcome.unitUpdate) {
        const owner = unitId ?? (await writer.unitOfTask(taskId));
        if (owner) await writer.updateUnit(owner, outcome.unitUpdate);
      }
      return true;
    });
  }

  /**
   * What most tasks change (file updates and events, up to a page of each) fits one statement:
   * every write the outcome has is one of those (writesOf counts them all, so a kind of write added
   * there never takes this path unnoticed).
   */
  private static fitsOneStatement(outcome: TaskOutcome): boolean {
    const updates = outcome.fileUpdates?.length ?? 0;
    const events = outcome.events?.length ?? 0;
    return TaskStore.writesOf(outcome) === updates + events && updates <= PAGE_ROWS && events <= PAGE_ROWS;
  }

  /**
   * The task's result, its file updates and its events in one statement: each write is a
   * data-modifying WITH that runs only if the task's own update found this attempt holding it, and
   * one statement is atomic on its own. A transaction took five round trips (begin, three writes,
   * commit) and held the embedded database's one session across them, or five Data API calls.
   */
  private async completeInOneStatement(recordTask: string, params: SqlValue[], outcome: TaskOutcome) {
    const parts = [`done as (${recordTask})`];
    const updates = fileUpdateParts(outcome.fileUpdates ?? []);
    if (updates.assignments)
      parts.push(`updated as (
        update files f set ${updates.assignments}
        from jsonb_to_recordset($${params.push(updates.rows)}::jsonb) as u(${updates.recordset})
        where f.id = u.id and exists (select 1 from done))`);
    if (outcome.events?.length)
      parts.push(`recorded as (
        insert into events ${eventInsertSelect(outcome.events, (value) => `$${params.push(value)}`)}
        where exists (select 1 from done) on conflict (id) do nothing)`);
    const r = await this.sql.query<{ done: number }>(
      `with ${parts.join(", ")} select count(*)::int as done from done`,
      params,
    );
    return Number(r.rows[0]?.done ?? 0) > 0;
  }

  private async unitOfTask(taskId: string): Promise<string | null> {
    const r = await this.sql.query<{ unit_id: string }>(
      "select j.unit_id from tasks t join jobs j on j.id = t.job_id where t.id = $1",
      [taskId],
    );
    return r.rows[0] ? String(r.rows[0].unit_id) : null;
  }

  // ---- files, events, agents, AIPs
  async upsertFiles(files: FileRecord[]): Promise<void> {
    for (let i = 0; i < files.length; i += 2000) {
      await this.sql.query(
        `insert into files select * from jsonb_to_recordset($1::jsonb) as f(${FILE_COLUMNS})
         on conflict (id) do update set unit_id = excluded.unit_id, path = excluded.path, size = excluded.size,
           sha256 = excluded.sha256, file_group = excluded.file_group, removed = excluded.removed`,
        [files.slice(i, i + 2000).map(fileToJson)],
      );
    }
  }

  /**
   * Hands every file of one unit to another, rewriting a path prefix on the way; returns how many
   * moved. The table's statistics are taken again at once: the planner, told by the old ones that
   * the new unit had no files, read its files through indexes that do not fit the next jobs'
   * queries (the AIP METS took 1.65-1.77 s after a move of 10,000 files, 1.48-1.52 s with ANALYZE
   * here, which costs some 45 ms; BENCHMARKS.md).
   */
  async moveFiles(move: FileMove): Promise<number> {
    const prefix = move.rewritePrefix ?? { from: "", to: "" };
    const r = await this.sql.query(
      `update files set unit_id = $2,
         path = case when $3 <> '' and starts_with(path, $3) then $4 || substr(path, length($3) + 1) else path end
       where unit_id = $1`,
      [move.fromUnit, move.toUnit, prefix.from, prefix.to],
    );
    if (r.rowCount > 0) await this.sql.query("analyze files");
    return r.rowCount;
  }

  /** Partial updates: a field absent (undefined) in an update keeps its stored value (fileUpdateParts). */
  async updateFiles(updates: FileUpdate[]): Promise<void> {
    for (let i = 0; i < updates.length; i += 2000) {
      const { rows, recordset, assignments } = fileUpdateParts(updates.slice(i, i + 2000));
      if (!assignments) continue;
      await this.sql.query(
        `update files f set ${assignments} from jsonb_to_recordset($1::jsonb) as u(${recordset}) where f.id = u.id`,
        [rows],
      );
    }
  }

  /**
   * Every file of a unit, by path then id; read in pages (see filePages). For tests and operator
   * tools only: tasks see StoreReader, which has no whole-unit list (issue 16).
   */
  async listFiles(unitId: string, options: { includeRemoved?: boolean } = {}): Promise<FileRecord[]> {
    const all: FileRecord[] = [];
    for await (const page of this.filePages(unitId, options)) for (const file of page) all.push(file);
    return all;
  }

  /**
   * A unit's files a page at a time, by path then id. Keyset paging (each page starts after the last
   * row of the one before), so no statement returns more than `pageSize` rows: the database (the
   * embedded owner buffers a whole result) and this process hold one page, not the whole unit.
   */
  async *filePages(unitId: string, options: FilePageOptions = {}): AsyncGenerator<FileRecord[]> {
    const limit = options.pageSize ?? PAGE_ROWS;
    const columns = options.withoutCharacteristics ? COLUMNS_BUT_CHARACTERISTICS : "*";
    // Filters the database applies, so a task looking for a few files is not sent every page.
    const params: SqlValue[] = [unitId];
    let where = "unit_id = $1";
    if (!options.includeRemoved) where += " and removed = false";
    if (options.pathPrefix !== undefined) {
      params.push(options.pathPrefix);
      where += ` and starts_with(path, $${params.length})`;
    }
    if (options.withoutChecksum) where += " and sha256 is null";
    let after: { path: string; id: string } | null = null;
    for (;;) {
      const keyset = after ? ` and (path, id) > ($${params.length + 1}, $${params.length + 2}::uuid)` : "";
      const r: { rows: Array<Record<string, unknown>> } = await this.sql.query(
        `select ${columns} from files where ${where}${keyset} order by path, id limit ${limit}`,
        after ? [...params, after.path, after.id] : params,
      );
      const page = r.rows.map(fileFromRow);
      if (page.length > 0) yield page;
      if (page.length < limit) return;
      const last = page[page.length - 1]!;
      after = { path: last.path, id: last.id };
    }
  }

  /** How many files a unit holds (removed ones only when asked). */
  async countFiles(unitId: string, options: { includeRemoved?: boolean } = {}): Promise<number> {
    const removed = options.includeRemoved ? "" : "and removed = false";
    const r = await this.sql.query<{ n: number }>(
      `select count(*)::int as n from files where unit_id = $1 ${removed}`,
      [unitId],
    );
    return Number(r.rows[0]?.n ?? 0);
  }

  /**
   * A unit's files as dispatch needs them to cut batches: id and group, in listFiles' order. Not
   * the whole rows: characterization output makes them large, and dispatch runs once per job.
   */
  async listFileGroups(unitId: string): Promise<Array<Pick<FileRecord, "id" | "group">>> {
    const r = await this.sql.query<{ id: string; file_group: string }>(
      "select id, file_group from files where unit_id = $1 and removed = false order by path, id",
      [unitId],
    );
    return r.rows.map((row) => ({ id: String(row.id), group: row.file_group as FileRecord["group"] }));
  }

  async filesAtPaths(
    unitId: string,
    paths: string[],
    options: { includeRemoved?: boolean; withoutCharacteristics?: boolean } = {},
  ): Promise<FileRecord[]> {
    if (paths.length === 0) return [];
    const removed = options.includeRemoved ? "" : "and removed = false";
    const columns = options.withoutCharacteristics ? COLUMNS_BUT_CHARACTERISTICS : "*";
    // "path in (select …)" is a semi-join: the page's paths are looked up by index or hashed. As
    // "= any(array(…))", the planner, told by statistics taken before the files came to this unit
    // (create_sip moves them) that the unit has a row or two, read the unit through another index
    // and compared every file with every path: 350-490 ms a page of 2,000 against 25-35 ms.
    const r = await this.sql.query(
      `select ${columns} from files where unit_id = $1 ${removed}
         and path in (select jsonb_array_elements_text($2::jsonb)) order by path, id`,
      [unitId, paths],
    );
    return r.rows.map(fileFromRow);
  }

  async getFiles(ids: string[], options: { withoutCharacteristics?: boolean } = {}): Promise<FileRecord[]> {
    if (ids.length === 0) return [];
    const columns = options.withoutCharacteristics ? COLUMNS_BUT_CHARACTERISTICS : "*";
    const r = await this.sql.query(
      `select ${columns} from files where id = any(array(select jsonb_array_elements_text($1::jsonb)::uuid)) order by path, id`,
      [ids],
    );
    return r.rows.map(fileFromRow);
  }

  async rankedFilePage(...args: Parameters<StoreReader["rankedFilePage"]>): Promise<RankedFile[]> {
    checkPageLimit(args[2].limit);
    return metsReads.rankedFilePage(this.sql, ...args);
  }

  async treeFilePage(...args: Parameters<StoreReader["treeFilePage"]>): Promise<FileRecord[]> {
    checkPageLimit(args[2].limit);
    return metsReads.treeFilePage(this.sql, ...args);
  }

  derivativesOf(...args: Parameters<StoreReader["derivativesOf"]>): Promise<FileRecord[]> {
    return metsReads.derivativesOf(this.sql, ...args);
  }

  foldersAmong(...args: Parameters<StoreReader["foldersAmong"]>): Promise<string[]> {
    return metsReads.foldersAmong(this.sql, ...args);
  }

  originalsNamedBy(...args: Parameters<StoreReader["originalsNamedBy"]>): Promise<FileRecord[]> {
    return metsReads.originalsNamedBy(this.sql, ...args);
  }

  async insertEvents(events: EventRecord[]): Promise<void> {
    for (let i = 0; i < events.length; i += 2000) {
      const params: SqlValue[] = [];
      const select = eventInsertSelect(events.slice(i, i + 2000), (value) => `$${params.push(value)}`);
      await this.sql.query(`insert into events ${select} on conflict (id) do nothing`, params);
    }
  }

  /**
   * Every event of a unit, by time then id (see eventPages). For tests and operator tools only:
   * tasks see StoreReader, which has no whole-unit list (issue 16).
   */
  async listEvents(unitId: string): Promise<EventRecord[]> {
    const all: EventRecord[] = [];
    for await (const page of this.eventPages(unitId)) for (const event of page) all.push(event);
    return all;
  }

  /** A unit's events a page at a time (PAGE_ROWS), by time then id; keyset, as filePages. */
  async *eventPages(unitId: string): AsyncGenerator<EventRecord[]> {
    // The cursor is the stored time as text: a JavaScript Date would drop its microseconds.
    let after: { time: string; id: string } | null = null;
    for (;;) {
      const r: { rows: Array<Record<string, unknown>> } = after
        ? await this.sql.query(
            `select *, date_time::text as page_time from events where unit_id = $1
             and (date_time, id) > ($2::timestamptz, $3::uuid) order by date_time, id limit ${PAGE_ROWS}`,
            [unitId, after.time, after.id],
          )
        : await this.sql.query(
            `select *, date_time::text as page_time from events where unit_id = $1
             order by date_time, id limit ${PAGE_ROWS}`,
            [unitId],
          );
      if (r.rows.length > 0) yield r.rows.map(eventFromRow);
      if (r.rows.length < PAGE_ROWS) return;
      const last = r.rows[r.rows.length - 1]!;
      after = { time: String(last.page_time), id: String(last.id) };
    }
  }

  /**
   * The events that `unitIds` recorded about some files (one page of them), in no set order: the
   * callers group them by file (the METS sorts each file's few events). Sorting a page's 3,000
   * events took the database twice as long as finding them (PGlite, the statement counted in SQL:
   * 7-17 against 4-5 ms); sending the rows, about 55 ms a page, is the same either way.
   */
  async eventsOfFiles(fileIds: string[], unitIds: string[]): Promise<EventRecord[]> {
    if (fileIds.length === 0) return [];
    const r = await this.sql.query(
      `select * from events where file_id = any(array(select jsonb_array_elements_text($1::jsonb)::uuid))
         and unit_id = any(array(select jsonb_array_elements_text($2::jsonb)::uuid))`,
      [fileIds, unitIds],
    );
    return r.rows.map(eventFromRow);
  }

  async eventsOfType(unitId: string, type: string): Promise<EventRecord[]> {
    const r = await this.sql.query(
      "select * from events where unit_id = $1 and type = $2 order by date_time, id",
      [unitId, type],
    );
    return r.rows.map(eventFromRow);
  }

  /** The events of a unit about no file in particular, by time then id. */
  async unitLevelEvents(unitId: string): Promise<EventRecord[]> {
    const r = await this.sql.query(
      "select * from events where unit_id = $1 and file_id is null order by date_time, id",
      [unitId],
    );
    return r.rows.map(eventFromRow);
  }

  async upsertAgents(agents: AgentRecord[]): Promise<void> {
    for (const a of agents) {
      await this.sql.query(
        `insert into agents (id, type, name, identifier_type, identifier_value) values ($1,$2,$3,$4,$5)
         on conflict (id) do update set name = excluded.name, identifier_value = excluded.identifier_value`,
        [a.id, a.type, a.name, a.identifierType, a.identifierValue],
      );
    }
  }

  async listAgents(): Promise<AgentRecord[]> {
    const r = await this.sql.query("select * from agents order by type, id");
    return r.rows.map(agentFromRow);
  }

  async recordAip(aip: AipRecord): Promise<void> {
    await this.sql.query(
      `insert into aips (id, unit_id, location, sha256, size, verified_at) values ($1,$2,$3,$4,$5,$6)
       on conflict (id) do update set location = excluded.location, sha256 = excluded.sha256,
         size = excluded.size, verified_at = excluded.verified_at`,
      [aip.id, aip.unitId, aip.location, aip.sha256, aip.size, aip.verifiedAt],
    );
  }

  async getAip(unitId: string): Promise<AipRecord | null> {
    const r = await this.sql.query("select * from aips where unit_id = $1 order by created_at desc limit 1", [
      unitId,
    ]);
    return r.rows[0] ? aipFromRow(r.rows[0]) : null;
  }
}
