import { findJob } from "../../workflows/index.ts";
import type { ProcessingConfig } from "../../workflows/processing-config.ts";
import { type JobNode, taskTimeoutOf } from "../../workflows/schema.ts";
import type { InFlight } from "../ports/in-flight.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import type { TaskMessage } from "../ports/task-queue.ts";
import type { WorkflowEngine } from "../ports/workflow-engine.ts";
import { inFlightTtl, settleJob } from "./dispatch-job.ts";
import { clockFor, defaultAgents, idsFor } from "./ids.ts";
import type { FileRecord, JobRecord, TaskRecord, UnitRecord } from "./model.ts";
import { TaskStore } from "./store/task-store.ts";
import { meterTask, type TaskResources } from "./task-meter.ts";
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

/** The agents of a runner not given its own, made once: three name-based UUIDs per task added up. */
let defaultAgentsMade: ReturnType<typeof defaultAgents> | undefined;
function defaultAgentList() {
  defaultAgentsMade ??= defaultAgents();
  return defaultAgentsMade;
}

/**
 * Handles one delivery of a task message: claim the task, run its module, record the result and
 * everything it changed in one transaction, take it out of the in-flight set, and settle the job
 * when it was the last. Redeliveries of a done task only repeat the in-flight removal and settle.
 */
export async function runTaskMessage(deps: RunnerDeps, message: TaskMessage, hooks: DeliveryHooks = {}) {
  const [result] = await runTaskMessages(deps, [message], () => hooks);
  return result!;
}

/**
 * runTaskMessage for a consumer's batch of messages (light tasks, up to ten like an SQS receive;
 * one message is a batch of one): one statement claims them all and reads their jobs, units and
 * files, their tasks run one after another, results that change nothing
 * else are recorded in one statement, then each leaves the in-flight set. Same guarantees, fewer
 * round trips: the machinery's cost per task is what the benchmark's overhead measures.
 */
export async function runTaskMessages(
  deps: RunnerDeps,
  messages: TaskMessage[],
  hooksFor: (index: number) => DeliveryHooks = () => ({}),
): Promise<DeliveryResult[]> {
  const claimed = new Map(
    (await deps.store.claimTasksInContext(messages.map((m) => m.task))).map((c) => [c.task.id, c]),
  );
  const results: DeliveryResult[] = [];
  const toRemove: Array<{ job: JobRecord; taskId: string; decl: JobNode }> = [];
  const simple: Parameters<TaskStore["completeTasks"]>[0] = [];
  for (const [index, message] of messages.entries()) {
    const hooks = hooksFor(index);
    const mine = claimed.get(message.task);
    const found = mine ?? (await deps.store.getTaskInContext(message.task));
    if (!found) {
      results.push("done");
      continue;
    }
    hooks.onJob?.(found.job);
    const decl = (deps.declarations ?? findJob)(found.job.name);
    if (!decl) throw new Error(`job ${found.job.id} names "${found.job.name}", which no workflow declares`);
    if (!mine) {
      results.push(found.task.status === "done" ? "done" : "busy");
      if (found.task.status === "done") toRemove.push({ job: found.job, taskId: found.task.id, decl });
      continue;
    }
    const result = await executeTask(
      deps,
      mine.unit,
      mine.job,
      mine.task,
      mine.files,
      decl,
      mine.attempt,
      hooks,
    );
    if (hooks.signal?.aborted && result.aborted) {
      await deps.store.releaseTask(mine.task.id, mine.attempt);
      results.push("busy");
      continue;
    }
    if (TaskStore.writesOf(result.outcome) === 0) {
      simple.push({
        taskId: mine.task.id,
        attempt: mine.attempt,
        result,
        ...(result.outcome.output ? { output: result.outcome.output } : {}),
      });
    } else {
      await deps.store.completeTask(mine.task.id, mine.attempt, result, result.outcome, mine.unit.id);
    }
    results.push("done");
    toRemove.push({ job: mine.job, taskId: mine.task.id, decl });
  }
  await deps.store.completeTasks(simple);
  for (const r of toRemove) await removeFromInFlight(deps, r.job, r.taskId, r.decl);
  return results;
}

async function removeFromInFlight(deps: RunnerDeps, job: JobRecord, taskId: string, decl: JobNode) {
  const left = await deps.inFlight.remove(job.id, taskId);
  if (left === "pending") return;
  // "empty", or "missing" (the cache lost the set: flush, failover, expiry): the task rows decide.
  const unfinished = await deps.store.unfinishedTaskIds(job.id);
  if (unfinished.length === 0) await settleJob(deps, job.id);
  else if (left === "missing") await deps.inFlight.add(job.id, unfinished, inFlightTtl(decl));
}

interface TaskRun {
  exitCode: number;
  stdout: string;
  stderr: string;
  outcome: TaskOutcome;
  aborted: boolean;
  resources: TaskResources;
}

async function executeTask(
  deps: RunnerDeps,
  unit: UnitRecord,
  job: JobRecord,
  task: TaskRecord,
  files: FileRecord[],
  decl: JobNode,
  attempt: number,
  hooks: DeliveryHooks,
): Promise<TaskRun> {
  const out: string[] = [];
  const err: string[] = [];
  const module = deps.modules.get(task.module);
  if (!module) {
    const reason = `no task module named "${task.module}"`;
    const resources = { cpuS: 0, peakRssMb: 0 };
    return { exitCode: 1, stdout: "", stderr: reason, outcome: { exitCode: 1 }, aborted: false, resources };
  }
  const timeout = new AbortController();
  const onShutdown = () => timeout.abort(new Error("worker shutting down"));
  hooks.signal?.addEventListener("abort", onShutdown, { once: true });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    timeout.abort(new Error(`timed out after ${taskTimeoutOf(decl)} s`));
  }, taskTimeoutOf(decl) * 1000);
  // A task starting is a sign of life for its job: a long line of short tasks keeps its state alive.
  if (job.taskToken) deps.engine.sendTaskHeartbeat(job.taskToken).catch(() => {});
  // Keep the job's state machine, the task lease and the queue message alive while the task runs.
  const beat = setInterval(
    () => {
      if (job.taskToken) deps.engine.sendTaskHeartbeat(job.taskToken).catch(() => {});
      deps.store.extendLease(task.id, attempt, decl.heartbeatSeconds * 1000).catch(() => {});
      hooks.extendVisibility?.(decl.heartbeatSeconds * 1000).catch(() => {});
    },
    Math.max(1000, (decl.heartbeatSeconds * 1000) / 3),
  );
  const metered = meterTask();
  try {
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
      agents: deps.agents ?? defaultAgentList(),
    });
    const aborted = new Promise<never>((_, reject) =>
      timeout.signal.addEventListener("abort", () => reject(timeout.signal.reason), { once: true }),
    );
    const outcome = await Promise.race([run, aborted]);
    return {
      exitCode: outcome.exitCode,
      stdout: clip(out),
      stderr: clip(err),
      outcome,
      aborted: false,
      resources: metered(),
    };
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
      resources: metered(),
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
