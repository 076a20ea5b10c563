import { randomUUID } from "node:crypto";
import { z } from "zod";
import { AWAIT_DECISION_JOB, DISPATCH_RETRY_ERROR } from "../../workflows/compile.ts";
import { findJob, WORKFLOWS } from "../../workflows/index.ts";
import type { JobNode } from "../../workflows/schema.ts";
import type { InFlight } from "../ports/in-flight.ts";
import type { TaskQueue } from "../ports/task-queue.ts";
import type { WorkflowEngine } from "../ports/workflow-engine.ts";
import { awaitDecision } from "./decisions.ts";
import type { FileRecord, JobRecord } from "./model.ts";
import type { TaskStore } from "./store/task-store.ts";

/**
 * Files per task of a per-file job that does not set its own: twice Archivematica's 128. Most of
 * them do quick work on a file (a checksum, ExifTool's tags, a validation), where what every task
 * costs besides its files weighs most: its message, its claim (its files' records read as JSON),
 * its record and its events written in one statement. On 10,000 small files, 256 took 0.2-0.45 s of
 * CPU off the database owner and 0.26-0.36 s off those three jobs in alternated runs (BENCHMARKS.md,
 * "A seventh machine"). Jobs whose tasks must stay short set ARCHIVEMATICA_BATCH_SIZE
 * (workflows/schema.ts).
 */
export const BATCH_SIZE = 256;

export const DispatchPayloadSchema = z.object({
  workflow: z.enum(["transfer", "ingest"]),
  job: z.string().min(1),
  unit: z.string().uuid(),
  execution: z.string().min(1),
  enteredAt: z.string().min(1),
  token: z.string().min(1),
  error: z.object({ Error: z.string(), Cause: z.string().optional() }).optional(),
  /** For await_decision: the decision node and the configuration key it waits on. */
  decision: z.string().optional(),
  key: z.string().optional(),
});
export type DispatchPayload = z.infer<typeof DispatchPayloadSchema>;

export interface DispatchDeps {
  store: TaskStore;
  queue: TaskQueue;
  inFlight: InFlight;
  engine: WorkflowEngine;
  batchSize?: number;
  /** Where job declarations come from (default: the declared workflows; the benchmark adds its own). */
  declarations?: (job: string) => JobNode | undefined;
}

export class DispatchError extends Error {
  override name = "Stepmatica.DispatchError";
}

/**
 * A dispatch that failed for a reason that may pass (the database resuming, the queue unreachable).
 * Thrown from the Lambda function, its name is the error Step Functions sees (a function error is
 * named by its errorType, never Lambda.*), and the compiled Task states retry exactly this name.
 */
export class DispatchRetryError extends Error {
  override name = DISPATCH_RETRY_ERROR;
  constructor(cause: unknown) {
    super(cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause));
  }
}

/** How long an in-flight set outlives its job's timeout before it expires on its own. */
export const inFlightTtl = (job: JobNode) => job.timeoutSeconds + 3600;

/**
 * The waitForTaskToken target: turns one entry of a job state into a job row, task rows, an
 * in-flight set and queue messages. Idempotent: a retried invocation for the same entry (same
 * execution, job and EnteredTime) re-sends only what is not done, and a settled job settles again.
 */
export async function dispatchJob(
  deps: DispatchDeps,
  input: unknown,
): Promise<{ jobId: string; tasks: number }> {
  const parsed = DispatchPayloadSchema.safeParse(input);
  if (!parsed.success)
    throw new DispatchError(`malformed dispatch payload: ${parsed.error.issues[0]?.message}`);
  const p = parsed.data;
  const decl = (deps.declarations ?? findJob)(p.job);
  if (!decl) throw new DispatchError(`workflow ${p.workflow} has no job "${p.job}"`);

  if (decl.id === AWAIT_DECISION_JOB.id) {
    const node = WORKFLOWS[p.workflow].nodes.find((n) => n.id === p.decision);
    return awaitDecision(deps, p, node?.description ?? `Decide ${p.key}`);
  }
  const existing = await deps.store.findJob(p.execution, p.job, p.enteredAt);
  if (existing) return redispatch(deps, decl, existing, p.token);

  const unit = await deps.store.getUnit(p.unit);
  if (!unit) throw new DispatchError(`no unit ${p.unit} for job ${p.job}`);
  const args = p.error ? [p.error.Error, p.error.Cause ?? ""] : decl.arguments;
  const batches =
    decl.scope === "unit" ? [[]] : batchFiles(await deps.store.listFileGroups(unit.id), decl, deps.batchSize);
  const jobId = randomUUID();
  const tasks = batches.map((files, seq) => ({
    id: randomUUID(),
    seq,
    module: decl.module,
    queue: decl.queue,
    arguments: args,
    fileIds: files.map((f) => f.id),
    leaseMs: decl.heartbeatSeconds * 1000,
  }));
  const created = await deps.store.createJob({
    job: {
      id: jobId,
      unitId: unit.id,
      executionId: p.execution,
      name: decl.id,
      microservice: decl.microservice,
      description: decl.description,
      enteredAt: p.enteredAt,
      taskToken: p.token,
      taskCount: tasks.length,
    },
    tasks,
  });
  if (!created) {
    const raced = await deps.store.findJob(p.execution, p.job, p.enteredAt);
    return redispatch(deps, decl, raced!, p.token);
  }
  if (tasks.length === 0) {
    await settleJob(deps, jobId);
    return { jobId, tasks: 0 };
  }
  return enqueue(
    deps,
    decl,
    jobId,
    tasks.map((t) => t.id),
  );
}

/** Puts a job's tasks in flight and on their queue (ids only). */
async function enqueue(deps: DispatchDeps, decl: JobNode, jobId: string, taskIds: string[]) {
  await deps.inFlight.add(jobId, taskIds, inFlightTtl(decl));
  await deps.queue.send(
    decl.queue,
    taskIds.map((task) => ({ job: jobId, task })),
  );
  return { jobId, tasks: taskIds.length };
}

async function redispatch(deps: DispatchDeps, decl: JobNode, job: JobRecord, token: string) {
  if (job.taskToken !== token) await deps.store.setJobToken(job.id, token);
  const unfinished = await deps.store.unfinishedTaskIds(job.id);
  if (job.status !== "running" || unfinished.length === 0) {
    await settleJob(deps, job.id);
    return { jobId: job.id, tasks: 0 };
  }
  return enqueue(deps, decl, job.id, unfinished);
}

type BatchedFile = Pick<FileRecord, "id" | "group">;

/**
 * A per-file job's files in tasks: the job's own batch size, else the default given (a test's), else
 * BATCH_SIZE.
 */
export function batchFiles(
  files: BatchedFile[],
  decl: JobNode,
  defaultBatchSize = BATCH_SIZE,
): BatchedFile[][] {
  const batchSize = decl.batchSize ?? defaultBatchSize;
  const groups = new Set(decl.fileGroups ?? ["original"]);
  const selected = files.filter((f) => groups.has(f.group));
  const batches: BatchedFile[][] = [];
  for (let i = 0; i < selected.length; i += batchSize) batches.push(selected.slice(i, i + batchSize));
  return batches;
}

/**
 * Settles a job whose tasks are all done: records its exit code (the max of its tasks') once and
 * tells the engine. Safe to call twice: the second record is a no-op and a second send is harmless.
 */
export async function settleJob(deps: Pick<DispatchDeps, "store" | "engine" | "inFlight">, jobId: string) {
  const job = await deps.store.getJob(jobId);
  if (!job) return;
  const { exitCode, outputs } = await deps.store.jobResult(jobId);
  const output = mergeOutputs(outputs);
  await deps.store.finishJob(jobId, exitCode, output);
  if (job.taskToken) await deps.engine.sendTaskSuccess(job.taskToken, { exitCode, output });
  await deps.inFlight.clear(jobId);
}

/** Task outputs combined into the job's: numbers add up, booleans OR, other values: the last task's. */
export function mergeOutputs(outputs: Array<Record<string, unknown>>): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const output of outputs) {
    for (const [key, value] of Object.entries(output)) {
      const prior = merged[key];
      if (typeof value === "number" && typeof prior === "number") merged[key] = prior + value;
      else if (typeof value === "boolean" && typeof prior === "boolean") merged[key] = prior || value;
      else merged[key] = value;
    }
  }
  return merged;
}
