import { randomUUID } from "node:crypto";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import type { JobNode } from "../../workflows/schema.ts";
import { ExecutionStore } from "../adapters/local/execution-store.ts";
import { FolderObjectStore } from "../adapters/local/folder-object-store.ts";
import { LOCAL_ARNS, LocalWorkflowEngine } from "../adapters/local/local-engine.ts";
import { MemoryInFlight } from "../adapters/local/memory-in-flight.ts";
import { MemoryQueue } from "../adapters/local/memory-queue.ts";
import { dispatchJob } from "../core/dispatch-job.ts";
import { type FileRecord, newFileRecord, newUnitRecord } from "../core/model.ts";
import { TaskStore } from "../core/store/task-store.ts";
import type { TaskModule } from "../core/task-module.ts";
import { WorkerPool } from "../core/worker-pool.ts";
import type { InFlight } from "../ports/in-flight.ts";
import type { SqlClient } from "../ports/sql.ts";
import { round } from "./pipeline.ts";

const NOOP_JOB: JobNode = {
  kind: "job",
  id: "noop",
  microservice: "Benchmark",
  description: "A task that does nothing",
  module: "noop",
  arguments: [],
  scope: "file",
  queue: "light",
  timeoutSeconds: 3600,
  heartbeatSeconds: 600,
  branches: [],
  next: "succeed",
  onFailure: "fail",
};
const noop: TaskModule = { name: "noop", command: "noop", run: async () => ({ exitCode: 0 }) };

/**
 * The machinery's own cost per task: `tasks` no-op tasks (one file each) dispatched as one job, sent
 * through the queue, claimed, recorded, removed from the in-flight set, and the job settled.
 */
export async function benchOverhead(sql: SqlClient, inFlight: InFlight, tasks: number) {
  const store = new TaskStore(sql);
  await store.migrate();
  const unitId = randomUUID();
  await store.createUnit(
    newUnitRecord({
      id: unitId,
      type: "transfer",
      name: "overhead",
      source: "file:///dev/null",
      workingPath: "transfers/overhead",
      config: {},
    }),
  );
  const files: FileRecord[] = Array.from({ length: tasks }, (_, i) =>
    newFileRecord({ id: randomUUID(), unitId, path: `objects/${i}`, originalPath: String(i), size: 0 }),
  );
  await store.upsertFiles(files);
  const queue = new MemoryQueue();
  const declarations = (id: string) => (id === "noop" ? NOOP_JOB : undefined);
  const definition = {
    Comment: "overhead",
    StartAt: "noop",
    States: {
      noop: {
        Type: "Task",
        Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
        Parameters: {
          FunctionName: LOCAL_ARNS.DispatchJobFunctionArn,
          Payload: {
            workflow: "transfer",
            job: "noop",
            "unit.$": "$.unit",
            "execution.$": "$$.Execution.Id",
            "enteredAt.$": "$$.State.EnteredTime",
            "token.$": "$$.Task.Token",
          },
        },
        ResultPath: "$.jobs.noop",
        Next: "done",
      },
      done: { Type: "Succeed" },
    },
  };
  const engine: LocalWorkflowEngine = new LocalWorkflowEngine({
    definitions: { transfer: definition, ingest: definition },
    executions: new ExecutionStore(sql),
    dispatchJob: async (payload) => {
      await dispatchJob({ store, queue, inFlight, engine, batchSize: 1, declarations }, payload);
    },
  });
  const pool = new WorkerPool(
    {
      store,
      inFlight,
      engine,
      modules: new Map([["noop", noop]]),
      objects: new FolderObjectStore(path.join(tmpdir(), "stepmatica-overhead")),
      workRoot: tmpdir(),
      declarations,
    },
    queue,
    { concurrency: { light: Math.max(2, cpus().length * 2), heavy: 0 } },
  );
  pool.start();
  try {
    const started = performance.now();
    const { executionId } = await engine.startExecution("transfer", randomUUID(), { unit: unitId });
    const outcome = await engine.waitFor(executionId);
    const seconds = (performance.now() - started) / 1000;
    if (outcome.status !== "SUCCEEDED")
      throw new Error(`overhead run failed: ${outcome.error} ${outcome.cause}`);
    return { tasks, seconds: round(seconds), ms_per_task: round((seconds * 1000) / tasks, 3) };
  } finally {
    await pool.stop();
    await queue.close();
  }
}

export { MemoryInFlight };

/** Runs of the overhead bench whose median is reported (a shared machine varies from run to run). */
export const OVERHEAD_RUNS = 5;

/**
 * `runs` overhead runs on one embedded database and in-flight set (each with a unit and files of
 * its own), reported as the median ms per task with the min, max and every run's figure.
 */
export async function benchOverheadRepeated(
  open: () => Promise<{ sql: SqlClient; inFlight: InFlight; close: () => Promise<void> }>,
  tasks: number,
  runs = OVERHEAD_RUNS,
) {
  const { sql, inFlight, close } = await open();
  try {
    const figures: number[] = [];
    for (let i = 0; i < runs; i++) figures.push((await benchOverhead(sql, inFlight, tasks)).ms_per_task);
    const sorted = [...figures].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    const median =
      sorted.length % 2 === 1 ? sorted[middle]! : round((sorted[middle - 1]! + sorted[middle]!) / 2, 3);
    return {
      tasks,
      runs: figures,
      ms_per_task: median,
      min: sorted[0]!,
      median,
      max: sorted.at(-1)!,
    };
  } finally {
    await close();
  }
}
