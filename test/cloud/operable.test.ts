/**
 * Operable on AWS: the conditions a healthy deployment meets every day, in the cloud in a box with
 * Step Functions played by moto's interpreter (an engine we did not write; STEPMATICA_BOX_ENGINE=local
 * runs the same scenarios on ours). Each scenario ends with a valid AIP (functions/smoke/checks.ts).
 *
 * - The heavy worker pool starts from zero 10 minutes after the first heavy job was dispatched.
 * - One heavy worker works through jobs of 200 short tasks each, each job outlasting its heartbeat
 *   window (3 s on the scaled clock) two to three times over (7-9 s here).
 * - Aurora is paused: the Data API answers DatabaseResumingException for 20 s mid-transfer.
 *
 * Minutes pass faster where the scenario is about heartbeats: the state machines' HeartbeatSeconds,
 * the watchdog's schedule and the pool's start are all multiplied by the same factor (box-engine.ts).
 */
import { mkdtemp, readFile } from "node:fs/promises";
import path from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import { afterEach, describe, expect, it } from "vitest";
import { executionName } from "../../functions/adapters/aws/sfn-engine.ts";
import { sipIdOf } from "../../functions/core/ids.ts";
import { createWatchdogHandler } from "../../functions/handlers/watchdog.ts";
import { checkAip } from "../../functions/smoke/checks.ts";
import { runSmoke } from "../../functions/smoke/smoke.ts";
import { generateTransfer } from "../../functions/smoke/transfer.ts";
import { QUEUED_HEARTBEAT_INTERVAL_SECONDS } from "../../workflows/heartbeats.ts";
import { validateMetsXml } from "../helpers/xsd.ts";
import { type Box, openBox, smokeTargets } from "./box.ts";
import type { EngineKind } from "./box-engine.ts";
import { objectCreatedEvent, startConsumers } from "./consumers.ts";

process.env.POWERTOOLS_LOG_LEVEL ??= "ERROR";
const ENGINE = (process.env.STEPMATICA_BOX_ENGINE ?? "moto") as EngineKind;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const opened: Array<{ close(): Promise<void> }> = [];

afterEach(async () => {
  while (opened.length > 0) await opened.pop()!.close();
});

async function open(options: { timeScale?: number; batchSize?: number }): Promise<Box> {
  const box = await openBox({ defaultConfig: "automated", logLevel: "ERROR", engine: ENGINE, ...options });
  opened.push(box);
  return box;
}

/**
 * The scheduled watchdog Lambda, every QUEUED_HEARTBEAT_INTERVAL_SECONDS on the scenario's clock, at
 * a fixed rate as EventBridge invokes it: a pass that runs long delays the next one only while it
 * runs. Waiting a whole period after each pass added the pass's own time, which the scenario's
 * clock does not shrink, to every gap between heartbeats: at 1/300 a period is one second and a
 * state's window three, so a pass of two seconds on a loaded machine used up the whole margin.
 */
function scheduleWatchdog(box: Box, scale: number) {
  const handler = createWatchdogHandler(box.runtime);
  const periodMs = QUEUED_HEARTBEAT_INTERVAL_SECONDS * 1000 * scale;
  let stopped = false;
  let passes = 0;
  const loop = (async () => {
    let due = performance.now();
    while (!stopped) {
      due += periodMs;
      await sleep(Math.max(0, due - performance.now()));
      if (stopped) break;
      await handler();
      passes++;
      due = Math.max(due, performance.now() - periodMs); // a long pass is not made up for with a burst
    }
  })();
  opened.push({
    close: async () => {
      stopped = true;
    },
  });
  return {
    passes: () => passes,
    async stop() {
      stopped = true;
      await loop;
    },
  };
}

/** Resolves when the first heavy task is queued (dispatch-job wrote its row). */
async function firstHeavyTask(box: Box): Promise<Date> {
  for (;;) {
    const { rows } = await box.admin.query<{ created_at: Date }>(
      "select j.created_at from tasks t join jobs j on j.id = t.job_id where t.queue = 'heavy' order by j.created_at limit 1",
    );
    if (rows[0]) return new Date(rows[0].created_at);
    await sleep(100);
  }
}

/** Uploads a generated transfer, delivers the S3 event, waits for the AIP and checks it (METS too). */
async function transferToAip(box: Box, name: string, extraFiles = 0) {
  const s3 = new S3Client(box.s3.clientConfig);
  const executionArn = (workflow: "transfer" | "ingest", id: string) =>
    `${box.env.STATE_MACHINE_TRANSFER_ARN.replace(/transfer$/, workflow).replace(":stateMachine:", ":execution:")}:${executionName(id)}`;
  // A failed execution ends the wait at once (runSmoke alone would wait for its timeout).
  let failed: (error: Error) => void = () => {};
  const failure = new Promise<never>((_, reject) => {
    failed = reject;
  });
  const smoke = runSmoke({
    clients: { s3 },
    targets: smokeTargets(box),
    name,
    extraFiles,
    scratchDir: box.scratch,
    timeoutMs: 480_000,
    intervalMs: 500,
    afterUpload: async (upload) => {
      const started = await box.startTransfer(objectCreatedEvent(upload));
      if (!("transferId" in started) || !started.transferId) return;
      void box.engine.waitFor(executionArn("transfer", started.transferId)).then((outcome) => {
        if (outcome.status !== "SUCCEEDED")
          failed(new Error(`transfer execution ${JSON.stringify(outcome)}`));
      });
    },
    log: () => {},
  });
  const result = await Promise.race([smoke, failure]);
  s3.destroy();
  const outcomes = {
    transfer: await box.engine.waitFor(executionArn("transfer", result.transferId), 5_000),
    ingest: await box.engine.waitFor(executionArn("ingest", sipIdOf(result.transferId)), 5_000),
  };
  const original = await generateTransfer(await mkdtemp(path.join(box.scratch, "again-")), name, extraFiles);
  const check = await checkAip(box.runtime.objects, result.aipName, original, box.scratch);
  const mets = check.metsPath ? await validateMetsXml(await readFile(check.metsPath, "utf8")) : null;
  return { result, outcomes, check, mets };
}

async function expectValidAip(box: Box, run: Awaited<ReturnType<typeof transferToAip>>) {
  const { rows: jobs } = await box.admin.query<{ name: string; status: string; exit_code: number | null }>(
    "select name, status, exit_code from jobs order by created_at",
  );
  expect(run.outcomes, JSON.stringify(jobs)).toEqual({
    transfer: { status: "SUCCEEDED", error: null, cause: null },
    ingest: { status: "SUCCEEDED", error: null, cause: null },
  });
  expect(run.result.problems).toEqual([]);
  expect(run.result.status).toBe("passed");
  expect(run.check.problems).toEqual([]);
  expect(run.mets?.errors.slice(0, 5)).toEqual([]);
  expect(run.mets?.valid).toBe(true);
}

describe(`operable on AWS: cloud in a box on ${ENGINE === "moto" ? "moto's" : "our"} Step Functions`, () => {
  it("the heavy worker pool starts from zero 10 minutes after dispatch: the unit completes", async () => {
    const scale = 1 / 60; // a minute lasts a second
    const box = await open({ timeScale: scale });
    const watchdog = scheduleWatchdog(box, scale);
    let dispatchedAt: Date | undefined;
    let startedAt: Date | undefined;
    const heavyStart = firstHeavyTask(box).then(async (at) => {
      dispatchedAt = at;
      await sleep(10 * 60_000 * scale);
      startedAt = new Date();
    });
    const consumers = startConsumers(box, { lightPollers: 2, heavyStart });
    opened.push({ close: () => consumers.stop() });
    const run = await transferToAip(box, "scale-from-zero");
    await consumers.stop();
    await watchdog.stop();
    await expectValidAip(box, run);
    expect(consumers.errors).toEqual([]);
    // The wait was longer than the 300 s heartbeat the states used to have, on this clock.
    const waitedSimulatedSeconds = (startedAt!.getTime() - dispatchedAt!.getTime()) / 1000 / scale;
    expect(waitedSimulatedSeconds).toBeGreaterThanOrEqual(600);
    expect(watchdog.passes()).toBeGreaterThan(0);
  }, 600_000);

  it("one heavy worker runs jobs of 200 short tasks each: the unit completes", async () => {
    const scale = 1 / 300; // five minutes last a second: a heartbeat window of 900 s is 3 s
    const box = await open({ timeScale: scale, batchSize: 1 });
    const watchdog = scheduleWatchdog(box, scale);
    const consumers = startConsumers(box, { lightPollers: 2 });
    opened.push({ close: () => consumers.stop() });
    // Tasks take about 30 ms each here: 80 of them (what this test once ran) now fit within one
    // heartbeat window, which would prove nothing.
    const run = await transferToAip(box, "two-hundred-short-tasks", 197);
    await consumers.stop();
    await watchdog.stop();
    await expectValidAip(box, run);
    const { rows } = await box.admin.query<{ name: string; tasks: number; seconds: number }>(
      `select j.name, count(*)::int as tasks,
         extract(epoch from max(t.ended_at) - min(j.created_at))::float8 as seconds
       from jobs j join tasks t on t.job_id = j.id where t.queue = 'heavy'
       group by j.id, j.name having count(*) >= 200 order by j.created_at`,
    );
    expect(rows.length, "heavy jobs of 200 tasks").toBeGreaterThan(0);
    // At least one of them outlasted its state's (scaled) heartbeat window.
    const longest = Math.max(...rows.map((r) => r.seconds));
    expect(longest / scale, JSON.stringify(rows)).toBeGreaterThan(900);
  }, 600_000);

  it("Aurora resuming: 20 s of DatabaseResumingException mid-transfer, and the unit completes", async () => {
    const box = await open({});
    const consumers = startConsumers(box, { lightPollers: 2 });
    opened.push({ close: () => consumers.stop() });
    const paused = firstHeavyTask(box).then(() => box.dataApi.resumeFor(20_000));
    const run = await transferToAip(box, "aurora-resuming");
    await paused;
    await consumers.stop();
    await expectValidAip(box, run);
    expect(box.dataApi.resumingAnswers()).toBeGreaterThan(5);
  }, 600_000);
});
