import { findJob } from "../../workflows/index.ts";
import type { JobNode } from "../../workflows/schema.ts";
import type { InFlight } from "../ports/in-flight.ts";
import type { WorkflowEngine } from "../ports/workflow-engine.ts";
import { settleJob } from "./dispatch-job.ts";
import type { TaskStore } from "./store/task-store.ts";

/**
 * The watchdog: nothing stays "running" forever. A unit is stalled when nothing about it changed —
 * no job entered or ended, no task started or ended, no change to the unit — for longer than its
 * running job's timeout plus a margin (or than the margin alone between jobs). The engine and the
 * task runner enforce timeouts while their process lives; the watchdog covers what they cannot: a
 * dead process, a lost task token, a wedged consumer. Safe to run anywhere and often (embedded
 * runtime, `stepmatica list`, a scheduled Lambda): every write is conditional on the same staleness.
 *
 * A stalled unit is marked failed with a reason naming the job. The running job's unfinished tasks
 * are finished with exit code 124 and the reason, and the job is settled like any other, so a live
 * state machine takes its failure path, and a later `resume` re-entering the job sees a failed job
 * (never a job that looks successful because its unfinished tasks were skipped).
 */

export interface WatchdogDeps {
  store: TaskStore;
  engine: WorkflowEngine;
  inFlight: InFlight;
  /** Job declarations (with any timeout overrides); default: the declared workflows. */
  declarations?: (job: string) => JobNode | undefined;
}

export interface WatchdogOptions {
  /** Slack added to a job's timeout before its unit counts as stalled (default 300 s). */
  marginSeconds?: number;
  /**
   * A job still "running" after its unit ended (the state timed out and the workflow moved on while
   * a task was still out, then the process stopped) is closed after this many idle seconds (default 30).
   */
  orphanGraceSeconds?: number;
  /** Told about each settle that failed (e.g. the engine refused the token); the unit is failed anyway. */
  onError?(error: unknown): void;
}

export interface StalledUnit {
  unitId: string;
  jobId: string | null;
  job: string | null;
  idleSeconds: number;
  reason: string;
}

export const WATCHDOG_MARGIN_SECONDS = 300;

/** The latest change to a unit, its jobs and their tasks (PostgreSQL's greatest() skips nulls). */
const LAST_PROGRESS = `greatest(u.created_at, u.updated_at,
  (select max(greatest(j2.created_at, j2.ended_at)) from jobs j2 where j2.unit_id = u.id),
  (select max(greatest(t.started_at, t.ended_at)) from tasks t join jobs j3 on j3.id = t.job_id where j3.unit_id = u.id))`;

interface Candidate {
  unit_id: string;
  job_id: string | null;
  job_name: string | null;
  microservice: string | null;
  description: string | null;
  job_status: string | null;
  idle_seconds: number;
}

/**
 * Heartbeats for jobs whose tasks wait in a queue (no consumer yet: a worker pool scaling from zero)
 * or run under a live lease: the job is alive though no task of it may be sending heartbeats. A job
 * whose only unfinished tasks have lost their consumer gets none (their messages come back to the
 * queue, a new claim makes them alive again). Returns how many jobs were sent one.
 */
export async function heartbeatWaitingJobs(deps: Pick<WatchdogDeps, "store" | "engine">): Promise<number> {
  const { rows } = await deps.store.sql.query<{ task_token: string }>(
    `select j.task_token from jobs j join units u on u.id = j.unit_id
     where j.status = 'running' and u.status = 'running' and j.task_token is not null
       and exists (select 1 from tasks t where t.job_id = j.id
         and (t.status = 'queued' or (t.status = 'running' and t.lease_expires > now())))`,
  );
  await Promise.all(rows.map((row) => deps.engine.sendTaskHeartbeat(row.task_token).catch(() => {})));
  return rows.length;
}

export async function runWatchdog(deps: WatchdogDeps, options: WatchdogOptions = {}): Promise<StalledUnit[]> {
  await heartbeatWaitingJobs(deps);
  const margin = options.marginSeconds ?? WATCHDOG_MARGIN_SECONDS;
  const declarations = deps.declarations ?? findJob;
  const candidates = await deps.store.sql.query<Candidate>(
    `select u.id as unit_id, j.id as job_id, j.name as job_name, j.microservice, j.description,
       j.status as job_status, extract(epoch from (now() - ${LAST_PROGRESS}))::float8 as idle_seconds
     from units u
     left join lateral (select * from jobs where unit_id = u.id order by created_at desc, id desc limit 1) j on true
     where u.status = 'running'
       and not exists (select 1 from decisions d where d.unit_id = u.id and d.answered_at is null)
       and ${LAST_PROGRESS} < now() - ($1::int * interval '1 second')`,
    [margin],
  );
  const stalled: StalledUnit[] = [];
  for (const c of candidates.rows) {
    const running = c.job_status === "running" && c.job_id !== null;
    const timeout = running ? (declarations(String(c.job_name))?.timeoutSeconds ?? 0) : 0;
    const bound = timeout + margin;
    const idle = Math.floor(Number(c.idle_seconds));
    if (idle <= bound) continue;
    const reason = running
      ? `${c.microservice} / ${c.description}: no progress for ${idle} s (job ${c.job_name}, timeout ${timeout} s + ${margin} s): marked failed by the watchdog`
      : `no progress for ${idle} s ${c.job_name ? `since job ${c.job_name} ended` : "since the unit was created"}: the workflow did not move on; marked failed by the watchdog`;
    const marked = await deps.store.sql.transaction(async (tx) => {
      const unit = await tx.query(
        `update units u set status = 'failed', reason = $2, updated_at = now()
         where u.id = $1 and u.status = 'running' and ${LAST_PROGRESS} < now() - ($3::int * interval '1 second')
         returning id`,
        [c.unit_id, reason, bound],
      );
      if (unit.rowCount === 0) return false; // it moved on, or someone else marked it
      if (running) {
        await tx.query(
          `update tasks set status = 'done', exit_code = 124, ended_at = now(), lease_expires = null,
             stderr = case when stderr = '' then $2 else stderr || E'\\n' || $2 end
           where job_id = $1 and status <> 'done'`,
          [c.job_id, `watchdog: ${reason}`],
        );
      }
      return true;
    });
    if (!marked) continue;
    if (running) {
      // Records the job's exit code (124) and tells a live state machine, which takes its failure path.
      await settleJob(deps, String(c.job_id)).catch((error: unknown) => options.onError?.(error));
    }
    stalled.push({
      unitId: c.unit_id,
      jobId: running ? c.job_id : null,
      job: c.job_name,
      idleSeconds: idle,
      reason,
    });
  }
  await closeOrphanJobs(deps, options);
  return stalled;
}

/**
 * Jobs left "running" by units that ended: their unfinished tasks are finished with exit code 124
 * and the reason, and the job is settled (its late completer, if any, then changes nothing).
 */
async function closeOrphanJobs(deps: WatchdogDeps, options: WatchdogOptions): Promise<void> {
  const orphans = await deps.store.sql.query<{
    id: string;
    status: string;
    microservice: string;
    description: string;
  }>(
    `select j.id, u.status, j.microservice, j.description from jobs j join units u on u.id = j.unit_id
     where j.status = 'running' and u.status in ('completed', 'failed', 'rejected')
       and greatest(j.created_at, (select max(greatest(t.started_at, t.ended_at)) from tasks t where t.job_id = j.id))
         < now() - ($1::int * interval '1 second')`,
    [options.orphanGraceSeconds ?? 30],
  );
  for (const job of orphans.rows) {
    const reason = `watchdog: ${job.microservice} / ${job.description}: abandoned, the unit is ${job.status} (the job's state timed out or the workflow moved on)`;
    await deps.store.sql.query(
      `update tasks set status = 'done', exit_code = 124, ended_at = now(), lease_expires = null,
         stderr = case when stderr = '' then $2 else stderr || E'\n' || $2 end
       where job_id = $1 and status <> 'done'`,
      [job.id, reason],
    );
    await settleJob(deps, String(job.id)).catch((error: unknown) => options.onError?.(error));
  }
}
