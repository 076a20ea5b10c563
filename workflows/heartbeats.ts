import type { JobNode } from "./schema.ts";

/**
 * Who sends a job state's heartbeats, and so how long its HeartbeatSeconds must be:
 * - a running task: when it starts, then every third of its job's heartbeatSeconds (run-task.ts);
 * - while tasks wait in a queue (a worker pool scaling from zero, a long line of short tasks): the
 *   watchdog, every QUEUED_HEARTBEAT_INTERVAL_SECONDS (the scheduled Lambda on AWS).
 * A state therefore waits three watchdog periods at least before it calls a job dead; a job whose
 * timeout is shorter than that has only its timeout.
 */
export const QUEUED_HEARTBEAT_INTERVAL_SECONDS = 300;

export function stateHeartbeatSeconds(job: JobNode): number | null {
  const seconds = Math.max(job.heartbeatSeconds, 3 * QUEUED_HEARTBEAT_INTERVAL_SECONDS);
  return seconds < job.timeoutSeconds ? seconds : null;
}
