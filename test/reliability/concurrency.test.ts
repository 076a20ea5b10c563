import { rm } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateBag } from "../../functions/bagit/index.ts";
import { followToEnd } from "../../functions/cli/follow.ts";
import { openRuntime } from "../../functions/cli/runtime.ts";
import { sipIdOf } from "../../functions/core/ids.ts";
import { startTransfer } from "../../functions/core/start-transfer.ts";
import { PRESETS, resolveConfig } from "../../workflows/processing-config.ts";
import { manySmallFiles, mixedTransfer, tempDir } from "../helpers/fixtures.ts";

/**
 * Twenty transfers started at once in ONE embedded runtime (one worker pool, one queue): one big
 * (1,500 files: a dozen batches per per-file job) started first, then nineteen small ones. All must
 * complete with valid AIPs; this process's peak RSS is reported and bounded. Fairness is checked on
 * the job records: the queue is FIFO across units, so a small transfer waits at most for the batches
 * queued before its own, never for the whole big transfer.
 */
const SMALL = 19;
const BIG_FILES = 1500;
const RSS_BOUND = 1.5 * 1024 ** 3;
let root: string;

beforeAll(async () => {
  root = await tempDir("concurrency");
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("concurrency", () => {
  it("20 transfers at once share the pool and all complete; peak memory is bounded", async () => {
    const big = path.join(root, "big");
    await manySmallFiles(big, BIG_FILES, 20);
    const smalls: string[] = [];
    for (let i = 0; i < SMALL; i++) {
      const dir = path.join(root, `small-${i}`);
      await mixedTransfer(dir);
      smalls.push(dir);
    }
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 100);
    const out = path.join(root, "aips");
    const rt = await openRuntime({ home: path.join(root, "home"), out });
    const config = resolveConfig(PRESETS.automated, ["aip_compression=none", "scan_for_viruses=false"]);
    const t0 = Date.now();
    /** The transfer's jobs, then its SIP's, in the order they began. */
    const jobsOfRun = async (transferId: string) => [
      ...(await rt.store.listJobs(transferId)),
      ...(await rt.store.listJobs(sipIdOf(transferId))),
    ];
    try {
      const runs = await Promise.all(
        [big, ...smalls].map(async (source) => {
          const { unit } = await startTransfer(rt, {
            name: path.basename(source),
            source: pathToFileURL(source).href,
            config,
          });
          const summary = await followToEnd(rt, unit.id);
          return {
            name: path.basename(source),
            transferId: unit.id,
            summary,
            seconds: (Date.now() - t0) / 1000,
          };
        }),
      );
      clearInterval(sampler);
      const table = runs.map((r) => ({
        transfer: r.name,
        status: r.summary.status,
        files: r.summary.files,
        "done after (s)": r.seconds.toFixed(1),
      }));
      console.table(table);
      const bigRun = runs[0]!;
      const smallTimes = runs.slice(1).map((r) => r.seconds);
      const beforeBig = smallTimes.filter((s) => s < bigRun.seconds).length;
      console.log(
        `peak RSS ${(peak / 1024 ** 2).toFixed(0)} MiB (before the runtime ${(baseline / 1024 ** 2).toFixed(0)} MiB; bound ${RSS_BOUND / 1024 ** 2} MiB); ` +
          `all done in ${((Date.now() - t0) / 1000).toFixed(1)} s; ` +
          `${beforeBig}/${SMALL} small transfers finished before the big one (${bigRun.seconds.toFixed(1)} s); ` +
          `slowest small ${Math.max(...smallTimes).toFixed(1)} s`,
      );
      for (const r of runs) expect(r.summary, r.name).toMatchObject({ status: "completed" });
      expect(bigRun.summary.files).toBe(BIG_FILES);
      for (const r of runs.slice(1)) expect(r.summary.files).toBe(5);
      for (const r of runs) {
        const bag = await validateBag(path.resolve(out, r.summary.aip!));
        expect(bag.problems.slice(0, 3), r.name).toEqual([]);
      }
      expect(peak).toBeLessThan(RSS_BOUND);
      // Fairness: the pool serves every unit while the big one runs, it does not take them one by one.
      // Units advance job by job, so the small transfers finish about when the big one does, on either
      // side of it (how many before is a coin toss under load, not a measure). What holds on any
      // machine: each small transfer had its first job done before the big one was half way through
      // its jobs, and most of its jobs done before the big one's last job began. Units run one after
      // another would finish every small transfer's first job after the big one's last.
      const bigJobs = await jobsOfRun(bigRun.transferId);
      const bigMidway = bigJobs[Math.floor(bigJobs.length / 2)]!.createdAt.getTime();
      const bigLast = bigJobs[bigJobs.length - 1]!.createdAt.getTime();
      const shares: number[] = [];
      for (const r of runs.slice(1)) {
        const jobs = await jobsOfRun(r.transferId);
        const firstDone = Math.min(...jobs.map((j) => j.endedAt?.getTime() ?? Number.POSITIVE_INFINITY));
        expect(firstDone, `${r.name}: first job done before the big transfer was half way`).toBeLessThan(
          bigMidway,
        );
        shares.push(jobs.filter((j) => j.endedAt && j.endedAt.getTime() < bigLast).length / jobs.length);
      }
      console.log(
        `smallest share of a small transfer's jobs done before the big one's last: ${Math.min(...shares).toFixed(2)}`,
      );
      expect(Math.min(...shares)).toBeGreaterThanOrEqual(0.5);
    } finally {
      clearInterval(sampler);
      await rt.close();
    }
  }, 240_000);
});
