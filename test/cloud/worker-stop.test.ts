import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newUnitRecord } from "../../functions/core/model.ts";
import type { TaskModule } from "../../functions/core/task-module.ts";
import { taskOf } from "../../functions/ports/task-queue.ts";
import { Worker } from "../../functions/worker/loop.ts";
import { PRESETS } from "../../workflows/processing-config.ts";
import { type Box, openBox } from "./box.ts";

let box: Box;

/** A task that takes `ms` unless its signal aborts it first (as a tool process killed on shutdown). */
const slowModule: TaskModule = {
  name: "slow-for-test",
  command: "sleep",
  run: (ctx) =>
    new Promise((resolve, reject) => {
      const ms = Number(ctx.task.arguments[0]);
      const timer = setTimeout(() => resolve({ exitCode: 0 }), ms);
      ctx.signal.addEventListener("abort", () => {
        clearTimeout(timer);
        reject(ctx.signal.reason);
      });
    }),
};

beforeAll(async () => {
  box = await openBox({ defaultConfig: "automated", logLevel: "ERROR" });
}, 60_000);

afterAll(async () => {
  await box?.close();
});

/** A transfer with one job (a real job name, whose heartbeat and timeout apply) of one slow heavy task. */
async function queueSlowTask(ms: number): Promise<string> {
  const unitId = randomUUID();
  await box.runtime.store.createUnit(
    newUnitRecord({
      id: unitId,
      type: "transfer",
      name: "slow",
      source: "s3://nowhere/slow.zip",
      workingPath: `transfers/slow-${unitId}`,
      config: PRESETS.automated,
    }),
  );
  const jobId = randomUUID();
  const taskId = randomUUID();
  await box.runtime.store.createJob({
    job: {
      id: jobId,
      unitId,
      executionId: `execution-${unitId}`,
      name: "prepare_aip",
      microservice: "Test",
      description: "slow task",
      enteredAt: new Date().toISOString(),
      taskToken: null,
      taskCount: 1,
    },
    tasks: [
      { id: taskId, seq: 0, module: slowModule.name, queue: "heavy", arguments: [String(ms)], fileIds: [] },
    ],
  });
  await box.runtime.inFlight.add(jobId, [taskId], 600);
  await box.runtime.queue.send("heavy", [{ job: jobId, task: taskId }]);
  return taskId;
}

function startWorker(graceMs: number) {
  const loadRunner = async () => {
    const runner = await box.runtime.loadRunner();
    return { ...runner, modules: new Map([...runner.modules, [slowModule.name, slowModule]]) };
  };
  const worker = new Worker(
    { ...box.runtime, loadRunner },
    { queue: "heavy", concurrency: 1, visibilityMs: 30_000, waitMs: 500, graceMs },
  );
  worker.start();
  return worker;
}

async function untilRunning(taskId: string) {
  for (let i = 0; i < 100; i++) {
    if ((await box.runtime.store.getTask(taskId))?.status === "running") return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`task ${taskId} never started`);
}

describe("worker shutdown (SIGTERM)", () => {
  it("lets the running task finish within the grace period, then deletes its message", async () => {
    const taskId = await queueSlowTask(1_500);
    const worker = startWorker(20_000);
    await untilRunning(taskId);
    await worker.stop();
    expect(await box.runtime.store.getTask(taskId)).toMatchObject({ status: "done", exitCode: 0 });
    expect(
      await box.runtime.queue.receive("heavy", { maxMessages: 10, waitMs: 0, visibilityMs: 1_000 }),
    ).toEqual([]);
  }, 30_000);

  it("gives the task back when the grace period ends, so another worker takes it at once", async () => {
    const taskId = await queueSlowTask(60_000);
    const worker = startWorker(300);
    await untilRunning(taskId);
    const stopping = Date.now();
    await worker.stop();
    expect(Date.now() - stopping).toBeLessThan(10_000);
    expect(await box.runtime.store.getTask(taskId)).toMatchObject({ status: "queued", exitCode: null });
    const again = await box.runtime.queue.receive("heavy", {
      maxMessages: 10,
      waitMs: 2_000,
      visibilityMs: 1_000,
    });
    expect(again.map((m) => taskOf(m.body).task)).toEqual([taskId]);
  }, 30_000);
});
