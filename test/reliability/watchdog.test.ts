import { randomUUID } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRuntime, type Runtime } from "../../functions/cli/runtime.ts";
import { declarationsWith } from "../../functions/core/job-timeouts.ts";
import { startTransfer } from "../../functions/core/start-transfer.ts";
import { runWatchdog } from "../../functions/core/watchdog.ts";
import { PRESETS } from "../../workflows/processing-config.ts";
import { tempDir } from "../helpers/fixtures.ts";

/**
 * The watchdog on a real store and engine: the runtime has no workers, so a dispatched job's tasks
 * stay queued, as after a lost consumer. Rows are then aged with SQL (the watchdog reads the
 * database's clock) to stand for hours without progress.
 */
let root: string;
let rt: Runtime;
let source: string;
const declarations = declarationsWith({ stage_transfer: 60 });

beforeAll(async () => {
  root = await tempDir("watchdog");
  source = path.join(root, "deposit");
  await mkdir(source);
  await writeFile(path.join(source, "a.txt"), "a\n");
  rt = await openRuntime({
    home: path.join(root, "home"),
    out: path.join(root, "aips"),
    workers: false,
    watchdog: false,
  });
});
afterAll(async () => {
  await rt.close();
  await rm(root, { recursive: true, force: true });
});

async function transferWaitingOnItsFirstJob(): Promise<string> {
  const id = randomUUID();
  await startTransfer(rt, { id, name: "t", source: pathToFileURL(source).href, config: PRESETS.automated });
  for (let i = 0; i < 100 && (await rt.store.listJobs(id)).length === 0; i++)
    await new Promise((r) => setTimeout(r, 20));
  return id;
}

async function age(unitId: string, seconds: number): Promise<void> {
  const shift = [unitId, seconds];
  const by = "($2::int * interval '1 second')";
  await rt.sql.query(
    `update units set created_at = created_at - ${by}, updated_at = updated_at - ${by} where id = $1`,
    shift,
  );
  await rt.sql.query(
    `update jobs set created_at = created_at - ${by}, ended_at = ended_at - ${by} where unit_id = $1`,
    shift,
  );
  await rt.sql.query(
    `update tasks set started_at = started_at - ${by}, ended_at = ended_at - ${by}
     where job_id in (select id from jobs where unit_id = $1)`,
    shift,
  );
}

describe("watchdog", () => {
  it("fails a unit idle past its running job's timeout + margin, naming the job; leaves others alone", async () => {
    const stalled = await transferWaitingOnItsFirstJob();
    const young = await transferWaitingOnItsFirstJob();
    const waiting = await transferWaitingOnItsFirstJob();
    await rt.sql.query(
      `insert into decisions (id, unit_id, key, description, choices) values ($1, $2, 'normalize', 'Normalize?', '[]')`,
      [randomUUID(), waiting],
    );
    await age(stalled, 60 + 10 + 5); // timeout 60 s + margin 10 s, and then some
    await age(young, 60); // within timeout + margin
    await age(waiting, 3600); // waiting for a person is not a stall

    const found = await runWatchdog({ ...rt, declarations }, { marginSeconds: 10 });
    expect(found.map((s) => s.unitId)).toEqual([stalled]);
    const unit = (await rt.store.getUnit(stalled))!;
    expect(unit.status).toBe("failed");
    expect(unit.reason).toMatch(
      /^Approve transfer \/ Copy the transfer onto working storage: no progress for 7\d s \(job stage_transfer, timeout 60 s \+ 10 s\)/,
    );
    const [job] = await rt.store.listJobs(stalled);
    expect([job!.status, job!.exitCode]).toEqual(["failed", 124]);
    const tasks = await rt.store.listTasks(job!.id);
    expect(tasks.map((t) => [t.status, t.exitCode])).toEqual([["done", 124]]);
    expect(tasks[0]!.stderr).toContain("watchdog: Approve transfer");
    for (const id of [young, waiting]) expect((await rt.store.getUnit(id))!.status).toBe("running");

    // The live state machine got the job's result and took the failure path.
    for (let i = 0; i < 100; i++) {
      if ((await rt.store.listJobs(stalled)).some((j) => j.name === "record_failure")) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    expect((await rt.store.listJobs(stalled)).map((j) => j.name)).toEqual([
      "stage_transfer",
      "record_failure",
    ]);
    // A second pass changes nothing.
    expect(await runWatchdog({ ...rt, declarations }, { marginSeconds: 10 })).toEqual([]);
  });

  it("fails a unit whose workflow did not move on after its last job ended", async () => {
    const id = await transferWaitingOnItsFirstJob();
    const [job] = await rt.store.listJobs(id);
    await rt.sql.query(
      "update tasks set status = 'done', exit_code = 0, ended_at = now() where job_id = $1",
      [job!.id],
    );
    await rt.store.finishJob(job!.id, 0, {});
    await age(id, 30);
    const found = await runWatchdog({ ...rt, declarations }, { marginSeconds: 10 });
    expect(found.map((s) => [s.unitId, s.jobId])).toEqual([[id, null]]);
    expect((await rt.store.getUnit(id))!.reason).toMatch(
      /^no progress for 3\d s since job stage_transfer ended: the workflow did not move on/,
    );
  });
});
