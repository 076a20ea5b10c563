import type { CallCounts } from "../../functions/bench/counting.ts";
import type { PipelineResult } from "../../functions/bench/pipeline.ts";
import { SMALL_FILE_MEAN_BYTES } from "../../functions/bench/workload.ts";

/**
 * What one transfer did, as the benchmark counted it through the ports: the input of the per-file
 * cost model. Counts are per run; the model divides by `files`.
 */
export interface WorkloadProfile extends CallCounts {
  /** How it was measured (the command and the date). */
  source: string;
  files: number;
  bytes: number;
  /** State transitions of the transfer and ingest executions. */
  transitions: number;
  /** Job-state entries: each is one dispatch-job invocation. */
  jobStates: number;
  executions: number;
  /** Seconds spent inside tasks, by queue. */
  lightTaskSeconds: number;
  heavyTaskSeconds: number;
  wallSeconds: number;
}

export function workloadFromRun(run: PipelineResult, date: string): WorkloadProfile {
  return {
    source: `npx tsx infra/cost/measure.ts ${run.files} (embedded runtime, automated config, virus scan on, normalization off, AIP uncompressed), ${date}`,
    files: run.files,
    bytes: run.files * SMALL_FILE_MEAN_BYTES,
    transitions: run.transitions,
    jobStates: run.jobs,
    executions: 2,
    ...run.calls,
    lightTaskSeconds: run.task_seconds.light,
    heavyTaskSeconds: run.task_seconds.heavy,
    wallSeconds: run.wall_s,
  };
}
