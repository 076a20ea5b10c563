import { expect, it } from "vitest";
import { runChaos } from "./chaos.ts";

// The small version of `npm run chaos`: SIGKILL a run five times at spread-out points, resume after
// each, and compare the AIP with a clean run of the same transfer and id.
it("a run killed five times and resumed gives the same AIP, byte for byte, with no job run twice", async () => {
  const report = await runChaos({ files: 120, kills: 5, seed: 20261123, maxDelayMs: 120 });
  expect(report.kills.filter((k) => k.outcome.endsWith("killed")).length).toBeGreaterThanOrEqual(4);
  expect(report.differences).toEqual([]);
  expect(report.identical).toBe(true);
  expect(report.aipFiles).toBeGreaterThan(60);
  expect(report.duplicateJobs).toBe(0);
  expect(report.unfinishedTasks).toBe(0);
}, 240_000);
