import { type ChildProcess, spawn } from "node:child_process";
import { Worker } from "node:worker_threads";
import { afterEach, describe, expect, it } from "vitest";
import { descendants } from "../../../functions/core/process-tree.ts";

const started: Array<ChildProcess | number> = [];
afterEach(() => {
  for (const child of started.splice(0)) {
    try {
      if (typeof child === "number") process.kill(child);
      else child.kill();
    } catch {
      // gone already
    }
  }
});

/** A child that starts a grandchild and prints its pid. */
const PARENT = `
const { spawn } = require("node:child_process");
const grandchild = spawn("sleep", ["20"], { stdio: "ignore" });
console.log(grandchild.pid);
setTimeout(() => {}, 20000);
`;

describe("descendants", () => {
  it("finds children at once, and their children", async () => {
    const child = spawn(process.execPath, ["-e", PARENT], { stdio: ["ignore", "pipe", "ignore"] });
    started.push(child);
    const grandchild = await new Promise<number>((resolve) =>
      child.stdout!.once("data", (data: Buffer) => resolve(Number(data.toString().trim()))),
    );
    started.push(grandchild);
    const found = descendants();
    expect(found).toContain(child.pid);
    expect(found).toContain(grandchild);
  });

  it("finds a child that another thread started within a second", async () => {
    const worker = new Worker(
      `const { spawn } = require("node:child_process");
       const { parentPort } = require("node:worker_threads");
       parentPort.postMessage(spawn("sleep", ["20"], { stdio: "ignore" }).pid);`,
      { eval: true },
    );
    const pid = await new Promise<number>((resolve) => worker.once("message", resolve));
    started.push(pid);
    const deadline = performance.now() + 1_500;
    let found = descendants();
    while (!found.includes(pid) && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      found = descendants();
    }
    expect(found).toContain(pid);
    await worker.terminate();
  });
});
