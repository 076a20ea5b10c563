import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type TaskQueue, taskOf } from "../../../functions/ports/task-queue.ts";

const quick = { maxMessages: 10, waitMs: 200, visibilityMs: 30_000 };

/** The TaskQueue port's contract (SQS semantics): every adapter (in-process, SQS) must pass it. */
export function taskQueueContract(name: string, make: () => Promise<TaskQueue>) {
  describe(`TaskQueue contract: ${name}`, () => {
    let queue: TaskQueue;
    beforeEach(async () => {
      queue = await make();
    });
    afterEach(async () => {
      await queue.close();
    });

    it("delivers what was sent, ids only", async () => {
      await queue.send("light", [
        { job: "j1", task: "a" },
        { job: "j1", task: "b" },
      ]);
      const got = await queue.receive("light", quick);
      expect(got.map((m) => taskOf(m.body)).sort((x, y) => x.task.localeCompare(y.task))).toEqual([
        { job: "j1", task: "a" },
        { job: "j1", task: "b" },
      ]);
      expect(got.every((m) => m.receiveCount === 1)).toBe(true);
    });

    it("keeps the light and heavy queues apart", async () => {
      await queue.send("heavy", [{ job: "j2", task: "h" }]);
      expect(await queue.receive("light", { ...quick, waitMs: 100 })).toEqual([]);
      const heavy = await queue.receive("heavy", quick);
      expect(heavy.map((m) => taskOf(m.body).task)).toEqual(["h"]);
    });

    it("hides a received message until its visibility timeout, then delivers it again", async () => {
      await queue.send("light", [{ job: "j3", task: "x" }]);
      const first = await queue.receive("light", { ...quick, visibilityMs: 1000 });
      expect(first).toHaveLength(1);
      expect(await queue.receive("light", { ...quick, waitMs: 100 })).toEqual([]);
      await new Promise((r) => setTimeout(r, 1300));
      const again = await queue.receive("light", { ...quick, waitMs: 2000 });
      expect(again.map((m) => taskOf(m.body).task)).toEqual(["x"]);
      expect(again[0]!.receiveCount).toBe(2);
    });

    it("a deleted message does not come back", async () => {
      await queue.send("light", [{ job: "j4", task: "y" }]);
      const [m] = await queue.receive("light", { ...quick, visibilityMs: 1000 });
      await queue.delete("light", m!.receipt);
      await new Promise((r) => setTimeout(r, 1300));
      expect(await queue.receive("light", { ...quick, waitMs: 200 })).toEqual([]);
    });

    it("extending visibility keeps a long task's message hidden", async () => {
      await queue.send("light", [{ job: "j5", task: "z" }]);
      const [m] = await queue.receive("light", { ...quick, visibilityMs: 1000 });
      await queue.extendVisibility("light", m!.receipt, 5000);
      await new Promise((r) => setTimeout(r, 1300));
      expect(await queue.receive("light", { ...quick, waitMs: 100 })).toEqual([]);
      await queue.delete("light", m!.receipt);
    });

    it("long polling returns as soon as a message arrives", async () => {
      const started = Date.now();
      const pending = queue.receive("light", { ...quick, waitMs: 5000 });
      setTimeout(() => void queue.send("light", [{ job: "j6", task: "late" }]), 200);
      const got = await pending;
      expect(got.map((m) => taskOf(m.body).task)).toEqual(["late"]);
      expect(Date.now() - started).toBeLessThan(4000);
    });

    it("sends more than ten messages at once (SQS batches of ten)", async () => {
      const messages = Array.from({ length: 25 }, (_, i) => ({ job: "j7", task: `t${i}` }));
      await queue.send("light", messages);
      const seen = new Set<string>();
      for (let i = 0; i < 10 && seen.size < 25; i++) {
        for (const m of await queue.receive("light", quick)) {
          seen.add(taskOf(m.body).task);
          await queue.delete("light", m.receipt);
        }
      }
      expect(seen.size).toBe(25);
    });
  });
}
