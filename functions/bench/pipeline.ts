import { randomUUID } from "node:crypto";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { PRESETS, resolveConfig } from "../../workflows/processing-config.ts";
import { followToEnd } from "../cli/follow.ts";
import { openRuntime } from "../cli/runtime.ts";
import { sipIdOf } from "../core/ids.ts";
import { sampleTreeRss, treeCpuSeconds } from "../core/process-tree.ts";
import { startTransfer } from "../core/start-transfer.ts";
import { resetToolInvocationCounts, toolInvocationCounts } from "../tools/run-tool.ts";
import { type CallCounts, countingObjects, countingQueue, countingSql, zeroCounts } from "./counting.ts";
import { smallFiles } from "./workload.ts";

export interface PipelineResult {
  files: number;
  wall_s: number;
  files_per_s: number;
  /** CPU seconds of the whole process tree (this process and the tools it ran). */
  cpu_s: number;
  cpu_children_s: number;
  /** Peak of the process tree's summed RSS (sampled every 50 ms, see process-tree.ts). */
  peak_rss_mb: number;
  /** Peak RSS of the Node process alone (what this figure was before it counted the tools). */
  peak_rss_self_mb: number;
  transitions: number;
  /** Job-state entries: each is one dispatch-job invocation on AWS. */
  jobs: number;
  status: string;
  calls: CallCounts;
  /** Seconds spent in tasks by queue (Lambda duration for light, worker time for heavy). */
  task_seconds: { light: number; heavy: number };
  /** Where the wall time went: every job in the order it ran, with its tasks and tools. */
  breakdown: JobBreakdown[];
  /** External tools started during the run, by base name (runTool's counter). */
  tool_invocations: Record<string, number>;
}

export interface JobBreakdown {
  job: string;
  /** From the job's creation (dispatch) to its end. */
  wall_s: number;
  tasks: number;
  /** The sum of its tasks' durations (more than wall_s when tasks ran side by side). */
  task_s: number;
  /** The largest process-tree RSS any of its tasks saw (tasks.peak_rss_mb), in MB. */
  peak_rss_mb: number | null;
  /** When it was created and when it ended (epoch milliseconds), to match against samples. */
  from_ms: number;
  to_ms: number;
}

/**
 * One transfer of `files` small files through transfer and ingest on the embedded runtime, with
 * the `automated` configuration (virus scanning on, normalization off, AIP uncompressed).
 */
export async function runPipeline(
  home: string,
  scratch: string,
  files: number,
  folders?: number,
  /** Called when the run has ended, before the runtime (and its tool processes) is closed. */
  onEnded?: () => void,
): Promise<PipelineResult> {
  const source = path.join(scratch, `transfer-${files}`);
  await rm(source, { recursive: true, force: true });
  await mkdir(source, { recursive: true });
  await smallFiles(source, files, folders);
  const counts = zeroCounts();
  const rt = await openRuntime({
    home,
    out: path.join(scratch, "aips"),
    instrument: {
      sql: (inner) => countingSql(inner, counts),
      queue: (inner) => countingQueue(inner, counts),
      objects: (inner) => countingObjects(inner, counts),
    },
  });
  const memory = sampleTreeRss();
  try {
    const id = randomUUID();
    resetToolInvocationCounts();
    const cpu = treeCpuSeconds();
    const started = performance.now();
    await startTransfer(rt, {
      id,
      name: `bench-${files}`,
      source: `file://${source}`,
      config: resolveConfig(PRESETS.automated, [
        "aip_compression=none",
        "normalize=none",
        "scan_for_viruses=true",
      ]),
    });
    const summary = await followToEnd(rt, id);
    const wall = (performance.now() - started) / 1000;
    const cpuEnd = treeCpuSeconds();
    onEnded?.();
    const cpuChildren = cpuEnd.children - cpu.children;
    const transitions = await rt.sql.query<{ n: number }>(
      "select coalesce(sum(transitions), 0)::int as n from executions where unit_id in ($1::uuid, $2::uuid)",
      [id, sipIdOf(id)],
    );
    const taskTime = await rt.sql.query<{ queue: string; s: number }>(
      `select t.queue, coalesce(sum(extract(epoch from (t.ended_at - t.started_at))), 0)::float8 as s
       from tasks t join jobs j on j.id = t.job_id where j.unit_id in ($1::uuid, $2::uuid) group by t.queue`,
      [id, sipIdOf(id)],
    );
    const jobs = await rt.sql.query<{ n: number }>(
      "select count(*)::int as n from jobs where unit_id in ($1::uuid, $2::uuid)",
      [id, sipIdOf(id)],
    );
    const perJob = await rt.sql.query<{
      name: string;
      wall: number;
      tasks: number;
      task_s: number;
      peak: number | null;
      from_ms: number;
      to_ms: number;
    }>(
      `select j.name, extract(epoch from (j.ended_at - j.created_at))::float8 as wall,
         (extract(epoch from j.created_at) * 1000)::float8 as from_ms, (extract(epoch from j.ended_at) * 1000)::float8 as to_ms, j.task_count as tasks,
         coalesce((select sum(extract(epoch from (t.ended_at - t.started_at))) from tasks t where t.job_id = j.id), 0)::float8 as task_s,
         (select max(t.peak_rss_mb) from tasks t where t.job_id = j.id)::float8 as peak
       from jobs j where j.unit_id in ($1::uuid, $2::uuid) order by j.created_at`,
      [id, sipIdOf(id)],
    );
    const seconds = (q: string) => Number(taskTime.rows.find((r) => r.queue === q)?.s ?? 0);
    return {
      files,
      wall_s: round(wall),
      files_per_s: round(files / wall),
      cpu_s: round(cpuEnd.self - cpu.self + cpuChildren),
      cpu_children_s: round(cpuChildren),
      peak_rss_mb: round(memory.peak() / 2 ** 20),
      peak_rss_self_mb: round(memory.selfPeak() / 2 ** 20),
      transitions: Number(transitions.rows[0]?.n ?? 0),
      jobs: Number(jobs.rows[0]?.n ?? 0),
      status: summary.status === "completed" ? "completed" : `${summary.status}: ${summary.reason}`,
      calls: counts,
      task_seconds: { light: round(seconds("light")), heavy: round(seconds("heavy")) },
      breakdown: perJob.rows.map((r) => ({
        job: r.name,
        wall_s: round(Number(r.wall ?? 0), 3),
        tasks: Number(r.tasks),
        task_s: round(Number(r.task_s), 3),
        peak_rss_mb: r.peak === null ? null : Math.round(Number(r.peak)),
        from_ms: Number(r.from_ms),
        to_ms: Number(r.to_ms),
      })),
      tool_invocations: Object.fromEntries(toolInvocationCounts()),
    };
  } finally {
    memory.stop();
    await rt.close();
    await rm(source, { recursive: true, force: true });
    await rm(path.join(scratch, "aips"), { recursive: true, force: true });
  }
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
