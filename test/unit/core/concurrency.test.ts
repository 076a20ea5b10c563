import { describe, expect, it } from "vitest";
import { limiter, mapLimit } from "../../../functions/core/concurrency.ts";

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("limiter", () => {
  it("runs at most its limit at once across callers, the others in the order they came", async () => {
    const gate = limiter(2);
    let running = 0;
    let most = 0;
    const started: string[] = [];
    const work = (name: string) =>
      gate(async () => {
        started.push(name);
        running++;
        most = Math.max(most, running);
        await tick();
        await tick();
        running--;
        return name;
      });
    // Two callers, each handing in its own works at once (as two pages of a bag do).
    const first = Promise.all(["a1", "a2", "a3"].map(work));
    const second = Promise.all(["b1", "b2"].map(work));
    // A third caller comes once places have passed from one work to the next.
    await first;
    const third = Promise.all(["c1", "c2", "c3"].map(work));
    expect(await first).toEqual(["a1", "a2", "a3"]);
    expect(await second).toEqual(["b1", "b2"]);
    expect(await third).toEqual(["c1", "c2", "c3"]);
    expect(most).toBe(2);
    expect(started).toEqual(["a1", "a2", "a3", "b1", "b2", "c1", "c2", "c3"]);
  });

  it("gives the place back when a work fails, and the failure to its caller", async () => {
    const gate = limiter(1);
    await expect(gate(async () => Promise.reject(new Error("unreadable")))).rejects.toThrow("unreadable");
    expect(await gate(async () => "next")).toBe("next");
  });
});

describe("mapLimit", () => {
  it("keeps the input order and runs at most its limit at once", async () => {
    let running = 0;
    let most = 0;
    const out = await mapLimit([3, 1, 2], 2, async (n) => {
      running++;
      most = Math.max(most, running);
      for (let i = 0; i < n; i++) await tick();
      running--;
      return n * 10;
    });
    expect(out).toEqual([30, 10, 20]);
    expect(most).toBe(2);
  });
});
