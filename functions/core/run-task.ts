import { findJob } from "../../workflows/index.ts";
import type { ProcessingConfig } from "../../workflows/processing-config.ts";
import type { JobNode } from "../../workflows/schema.ts";
import type { InFlight } from "../ports/in-flight.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import type { TaskMessage } from "../ports/task-queue.ts";
import type { WorkflowEngine } from "../ports/workflow-engine.ts";
import { inFlightTtl, settleJob } from "./dispatch-job.ts";
import { clockFor, defaultAgents, idsFor } from "./ids.ts";
import type { JobRecord, TaskRecord, UnitRecord } from "./model.ts";
import type { TaskStore } from "./store/task-store.ts";
import type { TaskModule, TaskOutcome } from "./task-module.ts";
import { unitPathOf } from "./working-storage.ts";

export interface RunnerDeps {
  store: TaskStore;
  inFlight: InFlight;
  engine: WorkflowEngine;
  modules: ReadonlyMap<string, TaskModule>;
  objects: ObjectStore;
  /** The DIP store (optional: upload-dip falls back to the AIP store under "dips/"). */
  dips?: ObjectStore;
  /** The transfer bucket (AWS), for sources named s3://bucket/key. */
  transfers?: ObjectStore;
  /** Absolute path of the working root on this machine. */
  workRoot: string;
  agents?: ReturnType<typeof defaultAgents>;
  /** Where job declarations come from (default: the declared workflows). */
  declarations?: (job: string) => JobNode | undefined;
}

export interface DeliveryHooks {
  /** Keeps the queue message invisible while the task runs (SQS ChangeMessageVisibility). */
  extendVisibility?(ms: number): Promise<void>;
  signal?: AbortSignal;
  /** Told the task's job as soon as it is loaded (so the consumer can label its log lines). */
  onJob?(job: JobRecord): void;
}

/** "done": delete the message. "busy": another consumer holds the task; let the message come back. */
export type DeliveryResult = "done" | "busy";

const MAX_OUTPUT = 256 * 1024;

/**
 * Handles one delivery of a task message: claim the task, run its module, record the result and
 * everything it changed in one transaction, take it out of the in-flight set, and settle the job
 * when it was the last. Redeliveries of a done task only repeat the in-flight removal and settle.
 */
export async function runTaskMessage(deps: RunnerDeps, message: TaskMessage, hooks: DeliveryHooks = {}) {
  const found = await deps.store.getTaskInContext(message.task);
  if (!found) return "done"; // a message for a task that does not exist: nothing to do
  const { task, job, unit } = found;
  hooks.onJob?.(job);
  const decl = (deps.declarations ?? findJob)(job.name);
  if (!decl) throw new Error(`job ${job.id} names "${job.name}", which no workflow declares`);

  if (task.status !== "done") {
    const leaseMs = decl.heartbeatSeconds * 1000;
    const attempt = await deps.store.claimTask(task.id, leaseMs);
    if (attempt === null) {
      const fresh = await deps.store.getTask(task.id);
      if (fresh?.status !== "done") return "busy";
    } else {
      const result = await executeTask(deps, unit, job, task, decl, attempt, hooks);
      if (hooks.signal?.aborted && result.aborted) {
        await deps.store.releaseTask(task.id, attempt); // shutting down: give it back, do not record
        return "busy";
      }
      await deps.store.completeTask(task.id, attempt, result, result.outcome, unit.id);
    }
  }
  await removeFromInFlight(deps, job, task.id, decl);
  return "done";
}

async function removeFromInFlight(deps: RunnerDeps, job: JobRecord, taskId: string, decl: JobNode) {
  let left = await deps.inFlight.remove(job.id, taskId);
  if (left === "missing") {
    // The cache lost the set (flush, failover, expiry): rebuild it from the task rows.
    const unfinished = await deps.store.unfinishedTaskIds(job.id);
    if (unfinished.length > 0) await deps.inFlight.add(job.id, unfinished, inFlightTtl(decl));
    left = unfinished.length > 0 ? "pending" : "empty";
  }
  if (left === "empty" && (await deps.store.unfinishedTaskIds(job.id)).length === 0) {
    await settleJob(deps, job.id);
  }
}

interface TaskRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  outcome: TaskOutcome;
  aborted: boolean;
}

async function executeTask(
  deps: RunnerDeps,
  unit: UnitRecord,
  job: JobRecord,
  task: TaskRecord,
  decl: JobNode,
  attempt: number,
  hooks: DeliveryHooks,
): Promise<TaskRun> {
  const out: string[] = [];
  const err: string[] = [];
  const module = deps.modules.get(task.module);
  if (!module) {
    const reason = `no task module named "${task.module}"`;
    return { exitCode: 1, stdout: "", stderr: reason, outcome: { exitCode: 1 }, aborted: false };
  }
  const timeout = new AbortController();
  const onShutdown = () => timeout.abort(new Error("worker shutting down"));
  hooks.signal?.addEventListener("abort", onShutdown, { once: true });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    timeout.abort(new Error(`timed out after ${decl.timeoutSeconds} s`));
  }, decl.timeoutSeconds * 1000);
  // Keep the job's state machine, the task lease and the queue message alive while the task runs.
  const beat = setInterval(
    () => {
      if (job.taskToken) deps.engine.sendTaskHeartbeat(job.taskToken).catch(() => {});
      deps.store.extendLease(task.id, attempt, decl.heartbeatSeconds * 1000).catch(() => {});
      hooks.extendVisibility?.(decl.heartbeatSeconds * 1000).catch(() => {});
    },
    Math.max(1000, (decl.heartbeatSeconds * 1000) / 3),
  );
  try {
    const files = await deps.store.getFiles(task.fileIds);
    const run = module.run({
      unit,
      job,
      task,
      files,
      unitPath: unitPathOf(deps.workRoot, unit),
      workRoot: deps.workRoot,
      config: unit.config as ProcessingConfig,
      ids: idsFor(unit.id),
      clock: clockFor(unit),
      store: deps.store,
      objects: deps.objects,
      ...(deps.dips ? { dips: deps.dips } : {}),
      transfers: deps.transfers ?? null,
      signal: timeout.signal,
      stdout: (line) => out.push(line),
      stderr: (line) => err.push(line),
      agents: deps.agents ?? defaultAgents(),
    });
    const aborted = new Promise<never>((_, reject) =>
      timeout.signal.addEventListener("abort", () => reject(timeout.signal.reason), { once: true }),
    );
    const outcome = await Promise.race([run, aborted]);
    return { exitCode: outcome.exitCode, stdout: clip(out), stderr: clip(err), outcome, aborted: false };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    err.push(`${task.module}: ${message}`);
    // A task whose own timeout fired is a result (exit 124), recorded even if a shutdown follows;
    // only a task cut short by the shutdown itself is given back unrecorded.
    const exitCode = timedOut ? 124 : 1;
    return {
      exitCode,
      stdout: clip(out),
      stderr: clip(err),
      outcome: { exitCode },
      aborted: !timedOut && timeout.signal.aborted,
    };
  } finally {
    clearTimeout(timer);
    clearInterval(beat);
    hooks.signal?.removeEventListener("abort", onShutdown);
  }
}

function clip(lines: string[]): string {
  const text = lines.join("\n");
  return text.length <= MAX_OUTPUT
    ? text
    : `${text.slice(0, MAX_OUTPUT)}\n… (${text.length - MAX_OUTPUT} more characters)`;
}
