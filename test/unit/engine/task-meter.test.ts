import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { meterTask } from "../../../functions/core/task-meter.ts";

/** A tool stand-in: holds 200 MB and spins the CPU for 600 ms, then exits. */
const BUSY_CHILD = `
const held = Buffer.alloc(200 * 2 ** 20, 1);
const until = Date.now() + 600;
let x = 0;
while (Date.now() < until) x += held[x % held.length];
process.exit(x > 0 ? 0 : 1);
`;

function runChild(): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", BUSY_CHILD], { stdio: "ignore" });
    child.on("error", reject);
    child.on("exit", resolve);
  });
}

describe("meterTask", () => {
  it("counts the CPU and memory of the tools a task starts, not only this process's", async () => {
    const ownRssMb = process.memoryUsage.rss() / 2 ** 20;
    const ownCpuBefore = process.cpuUsage();
    const done = meterTask();
    expect(await runChild()).toBe(0);
    const figures = done();
    const ownCpu = process.cpuUsage(ownCpuBefore);
    const ownSeconds = (ownCpu.user + ownCpu.system) / 1e6;
    // This process only waited: the child's spin is most of the task's CPU.
    expect(figures.cpuS - ownSeconds).toBeGreaterThan(0.3);
    // The child held 200 MB while the sampler looked at the tree.
    expect(figures.peakRssMb).toBeGreaterThan(ownRssMb + 150);
  });
});
