import type { AslDefinition } from "../../workflows/compile.ts";
import { findJob } from "../../workflows/index.ts";
import type { JobNode } from "../../workflows/schema.ts";

/**
 * Per-job timeout overrides (seconds by job id), for tests and operators who need a job to give up
 * sooner than its declaration says (e.g. a hung-tool test: `scan_for_viruses=3`). The override
 * reaches both places a timeout is enforced: the state's TimeoutSeconds (the engine) and the task
 * runner's abort of the module (which kills the tool's process group). Heartbeats are clamped below
 * the new timeout (the States Language wants HeartbeatSeconds < TimeoutSeconds). Set from the environment as STEPMATICA_JOB_TIMEOUTS="job=seconds,job=seconds".
 */
export type JobTimeouts = Readonly<Record<string, number>>;

export class JobTimeoutsError extends Error {
  override name = "Stepmatica.JobTimeoutsError";
}

/** Parses "job=seconds,job=seconds"; unknown jobs and non-positive numbers are errors naming the entry. */
export function parseJobTimeouts(text: string | undefined): JobTimeouts {
  const out: Record<string, number> = {};
  for (const entry of (text ?? "").split(",").map((s) => s.trim())) {
    if (entry === "") continue;
    const [job = "", seconds = ""] = entry.split("=").map((s) => s.trim());
    const value = Number(seconds);
    if (!findJob(job))
      throw new JobTimeoutsError(`STEPMATICA_JOB_TIMEOUTS: no job named "${job}" in "${entry}"`);
    if (!Number.isInteger(value) || value <= 0)
      throw new JobTimeoutsError(`STEPMATICA_JOB_TIMEOUTS: "${entry}" needs a whole number of seconds > 0`);
    out[job] = value;
  }
  return out;
}

/** A job declaration with its override applied (the declaration itself when there is none). */
export function withTimeout(job: JobNode, overrides: JobTimeouts): JobNode {
  const timeoutSeconds = overrides[job.id];
  if (timeoutSeconds === undefined) return job;
  return { ...job, timeoutSeconds, heartbeatSeconds: heartbeatBelow(job.heartbeatSeconds, timeoutSeconds) };
}

/** The heartbeat interval kept strictly under a timeout (at least 1 s; a 1 s timeout has none). */
function heartbeatBelow(heartbeatSeconds: number, timeoutSeconds: number): number {
  return Math.max(1, Math.min(heartbeatSeconds, timeoutSeconds - 1));
}

/** findJob with the overrides applied: what the task runner and the watchdog use. */
export function declarationsWith(
  overrides: JobTimeouts,
  find: (job: string) => JobNode | undefined = findJob,
): (job: string) => JobNode | undefined {
  return (id) => {
    const job = find(id);
    return job ? withTimeout(job, overrides) : undefined;
  };
}

/** The ASL with the overridden jobs' TimeoutSeconds (and HeartbeatSeconds, clamped) rewritten. */
export function aslWithTimeouts(definition: AslDefinition, overrides: JobTimeouts): AslDefinition {
  if (Object.keys(overrides).length === 0) return definition;
  const states = { ...definition.States };
  for (const [job, seconds] of Object.entries(overrides)) {
    const state = states[job];
    if (!state || typeof state.TimeoutSeconds !== "number") continue;
    const { HeartbeatSeconds: heartbeat, ...rest } = state;
    states[job] = {
      ...rest,
      TimeoutSeconds: seconds,
      ...(typeof heartbeat === "number" && seconds > 1
        ? { HeartbeatSeconds: heartbeatBelow(heartbeat, seconds) }
        : {}),
    };
  }
  return { ...definition, States: states };
}
