import { createHash } from "node:crypto";
import { WORKFLOWS } from "../../workflows/index.ts";
import type { UnitRecord } from "../core/model.ts";
import { eventFromRow, fileFromRow, toDateOrNull } from "../core/store/rows.ts";
import type { SqlClient } from "../ports/sql.ts";

/**
 * Read models for the dashboard, in SQL the store does not need: progress per unit, job summaries
 * with task counts, tasks paged (failed first) with output previews. Every list is paged, so a
 * 10,000-task job or 1,000 units never travel in one response (the RDS Data API caps one at 1 MiB).
 */

/** Characters of stdout/stderr sent with a task in a list; the task route sends all of it. */
export const OUTPUT_PREVIEW = 1000;
/** The most tasks one page holds: with previews, well under the Data API's 1 MiB per response. */
export const MAX_TASK_PAGE = 200;

type Row = Record<string, unknown>;
const iso = (v: unknown) => toDateOrNull(v)?.toISOString() ?? null;
const ms = (from: unknown, to: unknown) => {
  const a = toDateOrNull(from);
  const b = toDateOrNull(to);
  return a && b ? b.getTime() - a.getTime() : null;
};

export interface UnitProgress {
  jobsDone: number;
  jobsExpected: number;
  currentJob: string | null;
  tasksDone: number;
  tasks: number;
  /** 0..1 */
  fraction: number;
}

/** The job count of a unit's workflow, the measure of a unit's progress. */
function expectedJobs(unit: Pick<UnitRecord, "type">): number {
  const workflow = WORKFLOWS[unit.type === "transfer" ? "transfer" : "ingest"];
  return workflow.nodes.filter((n) => n.kind === "job").length;
}

export class DashboardQueries {
  constructor(private readonly sql: SqlClient) {}

  async progressOf(units: UnitRecord[]): Promise<Map<string, UnitProgress>> {
    const ids = units.map((u) => u.id);
    const result = new Map<string, UnitProgress>();
    if (ids.length === 0) return result;
    const done = await this.sql.query<Row>(
      `select unit_id, count(distinct name) filter (where status = 'completed')::int as jobs_done
       from jobs where unit_id = any(array(select jsonb_array_elements_text($1::jsonb)::uuid)) group by unit_id`,
      [ids],
    );
    const running = await this.sql.query<Row>(
      `select distinct on (j.unit_id) j.unit_id, j.description, j.task_count,
         (select count(*) from tasks t where t.job_id = j.id and t.status = 'done')::int as tasks_done
       from jobs j where j.unit_id = any(array(select jsonb_array_elements_text($1::jsonb)::uuid)) and j.status = 'running'
       order by j.unit_id, j.created_at desc`,
      [ids],
    );
    const doneBy = new Map(done.rows.map((r) => [String(r.unit_id), Number(r.jobs_done)]));
    const runningBy = new Map(running.rows.map((r) => [String(r.unit_id), r]));
    for (const unit of units) {
      const expected = expectedJobs(unit);
      const jobsDone = Math.min(doneBy.get(unit.id) ?? 0, expected);
      const current = runningBy.get(unit.id);
      const tasks = Number(current?.task_count ?? 0);
      const tasksDone = Number(current?.tasks_done ?? 0);
      const partial = tasks > 0 ? tasksDone / tasks : 0;
      const fraction =
        unit.status === "completed" ? 1 : Math.min(0.99, (jobsDone + partial) / Math.max(1, expected));
      result.set(unit.id, {
        jobsDone,
        jobsExpected: expected,
        currentJob: current ? String(current.description) : null,
        tasksDone,
        tasks,
        fraction: Math.round(fraction * 1000) / 1000,
      });
    }
    return result;
  }

  /** A unit's jobs with task counts and timing, in the order they ran (no tasks: those come paged). */
  async jobSummaries(unitId: string) {
    const r = await this.sql.query<Row>(
      `select j.id, j.name, j.microservice, j.description, j.status, j.exit_code, j.task_count,
         j.created_at, j.ended_at,
         count(t.id) filter (where t.status = 'done')::int as tasks_done,
         count(t.id) filter (where t.exit_code is not null and t.exit_code <> 0)::int as tasks_failed,
         sum(t.cpu_s)::float8 as cpu_s, max(t.peak_rss_mb)::float8 as peak_rss_mb
       from jobs j left join tasks t on t.job_id = j.id where j.unit_id = $1
       group by j.id order by j.created_at, j.id`,
      [unitId],
    );
    return r.rows.map((row) => ({
      id: String(row.id),
      name: String(row.name),
      microservice: String(row.microservice),
      description: String(row.description),
      status: String(row.status),
      exitCode: row.exit_code === null || row.exit_code === undefined ? null : Number(row.exit_code),
      taskCount: Number(row.task_count),
      tasksDone: Number(row.tasks_done),
      tasksFailed: Number(row.tasks_failed),
      startedAt: iso(row.created_at),
      endedAt: iso(row.ended_at),
      durationMs: ms(row.created_at, row.ended_at),
      // What the job cost: its tasks' CPU seconds added up, the largest of their peak memories.
      cpuS: numberOrNull(row.cpu_s),
      peakRssMb: numberOrNull(row.peak_rss_mb),
    }));
  }

  async jobExists(jobId: string): Promise<boolean> {
    const r = await this.sql.query("select 1 from jobs where id = $1", [jobId]);
    return r.rowCount > 0;
  }

  /** One page of a job's tasks, failed ones first (then in order), outputs cut to a preview. */
  async tasksPage(jobId: string, page: { limit: number; offset: number; failedOnly: boolean }) {
    const failedClause = page.failedOnly ? "and exit_code is not null and exit_code <> 0" : "";
    const total = await this.sql.query<Row>(
      `select count(*)::int as n from tasks where job_id = $1 ${failedClause}`,
      [jobId],
    );
    const r = await this.sql.query<Row>(
      `select ${TASK_PREVIEW_COLUMNS} from tasks t where job_id = $1 ${failedClause}
       order by (coalesce(exit_code, 0) <> 0) desc, seq limit ${page.limit} offset ${page.offset}`,
      [jobId],
    );
    return { tasks: r.rows.map(taskView), total: Number(total.rows[0]?.n ?? 0) };
  }

  /** The failed tasks of a unit, with their jobs, in the order they ran. */
  async failedTasks(unitId: string, limit: number) {
    const r = await this.sql.query<Row>(
      `select ${TASK_PREVIEW_COLUMNS}, j.name as job_name, j.description as job_description,
         j.microservice as job_microservice
       from tasks t join jobs j on j.id = t.job_id
       where j.unit_id = $1 and t.exit_code is not null and t.exit_code <> 0
       order by j.created_at, t.seq limit ${limit}`,
      [unitId],
    );
    return r.rows.map((row) => ({
      ...taskView(row),
      job: {
        name: String(row.job_name),
        description: String(row.job_description),
        microservice: String(row.job_microservice),
      },
    }));
  }

  /** A unit's files (identification, checksums), by path. */
  async filesPage(unitId: string, page: { limit: number; offset: number }) {
    const total = await this.sql.query<Row>(
      "select count(*)::int as n from files where unit_id = $1 and removed = false",
      [unitId],
    );
    const r = await this.sql.query<Row>(
      `select id, unit_id, path, original_path, size, sha256, file_group, puid, format_name, format_version,
         mime, derived_from, removed, created_at from files where unit_id = $1 and removed = false order by path, id
       limit ${page.limit} offset ${page.offset}`,
      [unitId],
    );
    const files = r.rows.map(fileFromRow).map(({ characteristics: _, ...file }) => ({
      ...file,
      createdAt: file.createdAt.toISOString(),
    }));
    return { files, total: Number(total.rows[0]?.n ?? 0) };
  }

  /** A unit's PREMIS events in time order, optionally those of one file. */
  async eventsPage(unitId: string, page: { limit: number; offset: number; fileId?: string }) {
    const params: Array<string> = [unitId];
    const fileClause = page.fileId ? `and file_id = $${params.push(page.fileId)}` : "";
    const total = await this.sql.query<Row>(
      `select count(*)::int as n from events where unit_id = $1 ${fileClause}`,
      params,
    );
    const r = await this.sql.query<Row>(
      `select * from events where unit_id = $1 ${fileClause} order by date_time, id
       limit ${page.limit} offset ${page.offset}`,
      params,
    );
    const events = r.rows.map(eventFromRow).map((e) => ({ ...e, dateTime: e.dateTime.toISOString() }));
    return { events, total: Number(total.rows[0]?.n ?? 0) };
  }

  /** Hides finished units last changed before `before` from the lists (records and AIPs stay). */
  async hideFinished(before: Date, statuses: readonly string[]): Promise<string[]> {
    const r = await this.sql.query<Row>(
      `update units set hidden = true, updated_at = now()
       where hidden = false and updated_at < $1 and status in (select jsonb_array_elements_text($2::jsonb))
       returning id`,
      [before, [...statuses]],
    );
    return r.rows.map((row) => String(row.id));
  }

  /** What changed anywhere, as one short string: pollers and the event stream compare it. */
  async version(): Promise<string> {
    const r = await this.sql.query<Row>(
      `select (select count(*) from units)::text as units, (select max(updated_at) from units)::text as units_at,
         (select count(*) from jobs)::text as jobs, (select max(ended_at) from jobs)::text as jobs_at,
         (select max(ended_at) from tasks)::text as tasks_at, (select max(started_at) from tasks)::text as started_at,
         (select count(*) from decisions where answered_at is null)::text as pending`,
    );
    return createHash("sha1")
      .update(JSON.stringify(r.rows[0] ?? {}))
      .digest("hex")
      .slice(0, 16);
  }
}

const TASK_PREVIEW_COLUMNS = `t.id, t.job_id, t.seq, t.module, t.queue, t.arguments, jsonb_array_length(t.file_ids)::int as files,
  t.status, t.attempt, t.exit_code, left(t.stdout, ${OUTPUT_PREVIEW}) as stdout, length(t.stdout)::int as stdout_length,
  left(t.stderr, ${OUTPUT_PREVIEW}) as stderr, length(t.stderr)::int as stderr_length, t.started_at, t.ended_at,
  t.cpu_s, t.peak_rss_mb`;

const numberOrNull = (value: unknown) => (value === null || value === undefined ? null : Number(value));

function taskView(row: Row) {
  const args = typeof row.arguments === "string" ? JSON.parse(row.arguments) : row.arguments;
  return {
    id: String(row.id),
    jobId: String(row.job_id),
    seq: Number(row.seq),
    command: String(row.module),
    arguments: args as string[],
    queue: String(row.queue),
    files: Number(row.files),
    status: String(row.status),
    attempt: Number(row.attempt),
    exitCode: row.exit_code === null || row.exit_code === undefined ? null : Number(row.exit_code),
    stdout: String(row.stdout ?? ""),
    stdoutTruncated: Number(row.stdout_length ?? 0) > OUTPUT_PREVIEW,
    stderr: String(row.stderr ?? ""),
    stderrTruncated: Number(row.stderr_length ?? 0) > OUTPUT_PREVIEW,
    startedAt: iso(row.started_at),
    endedAt: iso(row.ended_at),
    durationMs: ms(row.started_at, row.ended_at),
    cpuS: numberOrNull(row.cpu_s),
    peakRssMb: numberOrNull(row.peak_rss_mb),
  };
}
