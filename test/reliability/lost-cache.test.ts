import { rm } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { followToEnd } from "../../functions/cli/follow.ts";
import { openRuntime } from "../../functions/cli/runtime.ts";
import { BATCH_SIZE } from "../../functions/core/dispatch-job.ts";
import { sipIdOf } from "../../functions/core/ids.ts";
import type { QueueName } from "../../functions/core/model.ts";
import { startTransfer } from "../../functions/core/start-transfer.ts";
import { type TaskQueue, taskOf } from "../../functions/ports/task-queue.ts";
import { PRESETS, resolveConfig } from "../../workflows/processing-config.ts";
import { expectValidAip } from "../e2e/aip-checks.ts";
import { manySmallFiles, tempDir } from "../helpers/fixtures.ts";
import { REDIS_URL, uniqueName } from "../helpers/services.ts";

/**
 * Lost cache, end to end on a real Redis: the in-flight sets of this run (its own key prefix; the
 * server is shared, so never FLUSHALL) are deleted in the middle of every per-file job — after the
 * job's second task is done, while its other batches are queued or running. The run must complete
 * with a valid AIP, every job settled once, every file checksummed once.
 */
const FILES = BATCH_SIZE * 4 + 10; // five batches per per-file job of the default size, nine of 128
let root: string;
let redis: Redis;
const prefix = `${uniqueName("lostcache")}:`;

beforeAll(async () => {
  root = await tempDir("lost-cache");
  redis = new Redis(REDIS_URL);
});
afterAll(async () => {
  await deleteByPrefix(prefix);
  redis.disconnect();
  await rm(root, { recursive: true, force: true });
});

async function deleteByPrefix(keyPrefix: string): Promise<number> {
  let deleted = 0;
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "MATCH", `${keyPrefix}*`, "COUNT", 500);
    cursor = next;
    if (keys.length > 0) deleted += await redis.del(...keys);
  } while (cursor !== "0");
  return deleted;
}

describe("lost cache", () => {
  it("in-flight sets deleted mid-job are rebuilt from the task rows and the run completes", async () => {
    const source = path.join(root, "deposit");
    await manySmallFiles(source, FILES, 8);
    const flushes: Array<{ job: string; deleted: number }> = [];
    const jobOfReceipt = new Map<string, string>();
    const doneByJob = new Map<string, number>();
    // Deletes the prefix's keys after the second task of each job is done (the queue sees it first).
    const flushing = (inner: TaskQueue): TaskQueue => ({
      send: (q, m) => inner.send(q, m),
      extendVisibility: (q, r, ms) => inner.extendVisibility(q, r, ms),
      close: () => inner.close(),
      async receive(q: QueueName, options) {
        const got = await inner.receive(q, options);
        for (const m of got) jobOfReceipt.set(m.receipt, taskOf(m.body).job);
        return got;
      },
      async delete(q: QueueName, receipt: string) {
        await inner.delete(q, receipt);
        const job = jobOfReceipt.get(receipt);
        if (!job) return;
        const done = (doneByJob.get(job) ?? 0) + 1;
        doneByJob.set(job, done);
        if (done === 2) flushes.push({ job, deleted: await deleteByPrefix(prefix) });
      },
    });
    const out = path.join(root, "aips");
    const rt = await openRuntime({
      home: path.join(root, "home"),
      out,
      redisUrl: REDIS_URL,
      redisKeyPrefix: prefix,
      instrument: { queue: flushing },
    });
    try {
      const config = resolveConfig(PRESETS.automated, ["aip_compression=none", "scan_for_viruses=false"]);
      const { unit } = await startTransfer(rt, {
        name: "deposit",
        source: pathToFileURL(source).href,
        config,
      });
      const summary = await followToEnd(rt, unit.id);
      expect(summary).toMatchObject({ status: "completed", files: FILES });
      const originals = (await rt.store.listFiles(sipIdOf(unit.id)))
        .filter((f) => f.group === "original")
        .map((f) => f.path.replace(/^objects\//, ""));
      expect(originals).toHaveLength(FILES);
      await expectValidAip(path.resolve(out, summary.aip!), source, originals);

      // The flushes hit live sets (some deleted keys) in several per-file jobs.
      const hit = flushes.filter((f) => f.deleted > 0);
      console.log(`in-flight keys deleted mid-job ${hit.length} time(s) (${flushes.length} flushes)`);
      expect(hit.length, JSON.stringify(flushes)).toBeGreaterThanOrEqual(3);
      // Nothing done twice: every job settled once with all its tasks done once, one digest per file.
      for (const id of [unit.id, sipIdOf(unit.id)]) {
        for (const job of await rt.store.listJobs(id)) {
          expect(job.status, job.name).toBe("completed");
          const tasks = await rt.store.listTasks(job.id);
          expect(
            tasks.every((t) => t.status === "done" && t.attempt === 1),
            job.name,
          ).toBe(true);
        }
      }
      const digests = (await rt.store.listEvents(unit.id)).filter(
        (e) => e.type === "message digest calculation",
      );
      expect(new Set(digests.map((e) => e.fileId)).size).toBe(digests.length);
      expect(digests.length).toBeGreaterThanOrEqual(FILES);
    } finally {
      await rt.close();
    }
  });
});
