import { describe, expect, it } from "vitest";
import { answerOf, runSteps, runStepsAsync, type Steps, startSteps } from "../../../functions/mets/steps.ts";

function* twice(first: number | Promise<number>, second: number | Promise<number>): Steps<number> {
  const a: number = yield* answerOf(first);
  const b: number = yield* answerOf(second);
  return a + b;
}

describe("startSteps", () => {
  it("gives the result at once when every answer is there", () => {
    expect(startSteps(twice(1, 2))).toBe(3);
    expect(runSteps(twice(1, 2))).toBe(3);
  });

  it("runs the rest meanwhile when an answer comes later, and is waited for with answerOf", async () => {
    let secondAsked = false;
    function* later(): Steps<number> {
      const a: number = yield* answerOf(Promise.resolve(1));
      secondAsked = true;
      return a + 1;
    }
    const started = startSteps(later());
    expect(started).toBeInstanceOf(Promise);
    expect(secondAsked).toBe(false);
    await new Promise((resolve) => setImmediate(resolve));
    // Nobody has waited for it yet: it went on by itself.
    expect(secondAsked).toBe(true);
    function* waiter(): Steps<number> {
      return (yield* answerOf(started)) * 10;
    }
    expect(await runStepsAsync(waiter())).toBe(20);
  });

  it("keeps a failure for whoever waits, without an unhandled rejection meanwhile", async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    try {
      const started = startSteps(twice(Promise.reject(new Error("page 2 unreadable")), 1));
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
      await expect(started).rejects.toThrow("page 2 unreadable");
    } finally {
      process.off("unhandledRejection", onUnhandled);
    }
  });
});
