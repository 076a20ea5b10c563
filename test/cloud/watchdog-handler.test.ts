import { randomUUID } from "node:crypto";
import { Logger } from "@aws-lambda-powertools/logger";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startTransfer } from "../../functions/core/start-transfer.ts";
import { buildAwsRuntime } from "../../functions/handlers/aws-runtime.ts";
import { createWatchdogHandler } from "../../functions/handlers/watchdog.ts";
import { PRESETS } from "../../workflows/processing-config.ts";
import { type Box, openBox } from "./box.ts";

/**
 * The scheduled watchdog handler on the cloud-in-a-box runtime: the store through the Data API
 * server, the in-flight sets in the real Redis, the compiled state machines in the local engine.
 * Nothing consumes the queues, so a dispatched job stays running, as after a lost consumer; its rows
 * are then aged with SQL (the watchdog reads the database's clock).
 */
let box: Box;
beforeAll(async () => {
  box = await openBox({ defaultConfig: "automated" });
}, 60_000);
afterAll(async () => {
  await box?.close();
});

async function transferWaitingOnItsFirstJob(): Promise<string> {
  const id = randomUUID();
  await startTransfer(box.runtime, {
    id,
    name: "stalled",
    source: "s3://transfers-box/transfers/stalled.zip",
    config: PRESETS.automated,
  });
  for (let i = 0; i < 200 && (await box.runtime.store.listJobs(id)).length === 0; i++)
    await new Promise((r) => setTimeout(r, 20));
  return id;
}

async function ageByHours(unitId: string, hours: number): Promise<void> {
  const by = "($2::int * interval '1 hour')";
  const args = [unitId, hours];
  await box.admin.query(
    `update units set created_at = created_at - ${by}, updated_at = updated_at - ${by} where id = $1`,
    args,
  );
  await box.admin.query(
    `update jobs set created_at = created_at - ${by}, ended_at = ended_at - ${by} where unit_id = $1`,
    args,
  );
  await box.admin.query(
    `update tasks set started_at = started_at - ${by}, ended_at = ended_at - ${by}
     where job_id in (select id from jobs where unit_id = $1)`,
    args,
  );
}

/** The JSON log lines Powertools wrote (stdout, and stderr for errors) while `run` ran. */
async function logLinesOf<T>(
  run: () => Promise<T>,
): Promise<{ result: T; lines: Record<string, unknown>[] }> {
  const written: string[] = [];
  const capture = (chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  };
  const spies = [
    vi.spyOn(process.stdout, "write").mockImplementation(capture),
    vi.spyOn(process.stderr, "write").mockImplementation(capture),
  ];
  try {
    const result = await run();
    return { result, lines: parseLines(written) };
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

function parseLines(chunks: string[]): Record<string, unknown>[] {
  return chunks
    .join("")
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("watchdog handler (scheduled Lambda) on the AWS runtime", () => {
  it("with no running execution it asks Step Functions only: the database is not touched (Aurora may pause)", async () => {
    expect(await box.engine.api.hasRunningExecutions()).toBe(false);
    const before = box.dataApi.calls.length;
    const result = await createWatchdogHandler(box.runtime)();
    expect(result).toEqual({ stalled: [], settleErrors: 0, idle: true });
    expect(box.dataApi.calls.length - before).toBe(0);
    // With an execution running, the pass reads the store again.
    const running = await transferWaitingOnItsFirstJob();
    expect(await box.engine.api.hasRunningExecutions()).toBe(true);
    const busy = await createWatchdogHandler(box.runtime)();
    expect(busy.idle).toBe(false);
    expect(box.dataApi.calls.length - before).toBeGreaterThan(0);
    await box.admin.query("update units set status = 'failed' where id = $1", [running]); // out of the next test's way
  }, 60_000);

  it("fails a stalled unit through the Data API, settles its job on the engine, logs it; a second pass does nothing", async () => {
    const stalled = await transferWaitingOnItsFirstJob();
    const young = await transferWaitingOnItsFirstJob();
    await ageByHours(stalled, 7); // past stage_transfer's timeout (6 h) + the default margin
    const handler = createWatchdogHandler(box.runtime);

    const { result, lines } = await logLinesOf(handler);
    expect(result.stalled.map((s) => s.unitId)).toEqual([stalled]);
    expect(result.settleErrors).toBe(0);
    const unit = (await box.runtime.store.getUnit(stalled))!;
    expect(unit.status).toBe("failed");
    expect(unit.reason).toMatch(
      /no progress for \d+ s \(job stage_transfer, .*marked failed by the watchdog/,
    );
    const [job] = await box.runtime.store.listJobs(stalled);
    expect([job!.status, job!.exitCode]).toEqual(["failed", 124]);
    expect((await box.runtime.store.getUnit(young))!.status).toBe("running");
    expect(lines).toContainEqual(
      expect.objectContaining({ level: "WARN", message: "watchdog: unit marked failed", unit: stalled }),
    );
    expect(lines).toContainEqual(expect.objectContaining({ message: "watchdog pass done", stalled: 1 }));

    // The waiting state got the job's failure: the workflow took its failure path.
    for (let i = 0; i < 200; i++) {
      if ((await box.runtime.store.listJobs(stalled)).some((j) => j.name === "record_failure")) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((await box.runtime.store.listJobs(stalled)).map((j) => j.name)).toContain("record_failure");
    expect((await handler()).stalled).toEqual([]);
  }, 60_000);

  it("a store it cannot reach fails the invocation (the errors alarm) and logs why", async () => {
    const runtime = buildAwsRuntime(box.env, {
      clients: {
        rdsData: {
          region: "us-east-1",
          endpoint: "http://127.0.0.1:9", // discard port: nothing listens
          credentials: { accessKeyId: "local", secretAccessKey: "local" },
          maxAttempts: 1,
        },
      },
      engine: { ...box.engine.api, hasRunningExecutions: async () => true }, // something runs
      logger: new Logger({ serviceName: "stepmatica-watchdog" }),
    });
    try {
      const { result, lines } = await logLinesOf(() =>
        createWatchdogHandler(runtime)().then(
          () => "resolved",
          (error: unknown) => error,
        ),
      );
      expect(result).toBeInstanceOf(Error);
      expect(lines).toContainEqual(
        expect.objectContaining({ level: "ERROR", message: "watchdog pass failed" }),
      );
    } finally {
      await runtime.close();
    }
  }, 60_000);
});
