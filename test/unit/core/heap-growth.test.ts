import { execFile } from "node:child_process";
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HEAP_GROWING_PERCENT, keepHeapNearLiveSize } from "../../../functions/core/heap-growth.ts";
import { tempDir } from "../../helpers/fixtures.ts";

const MODULE = fileURLToPath(new URL("../../../functions/core/heap-growth.ts", import.meta.url));

/**
 * A process that keeps about 60 MB alive and makes garbage in batches, as a run of many short tasks
 * does; it prints the largest heap it had. `limit` says whether it calls keepHeapNearLiveSize first.
 */
const churn = (limit: boolean) => `
import { keepHeapNearLiveSize } from ${JSON.stringify(MODULE)};
${limit ? "keepHeapNearLiveSize();" : ""}
const kept = (globalThis.kept = []);
for (let i = 0; i < 1000000; i++) kept.push({ name: "kept-" + i, n: i });
let largest = 0;
for (let round = 0; round < 40; round++) {
  const batch = [];
  for (let i = 0; i < 50000; i++) batch.push({ event: JSON.stringify({ i, round, detail: "program=stepmatica".repeat(2) }) });
  globalThis.sink = JSON.stringify(batch);
  largest = Math.max(largest, process.memoryUsage().heapTotal);
}
process.stdout.write(String(Math.round(largest / 2 ** 20)));
`;

let dir: string;
beforeAll(async () => {
  dir = await tempDir("heap-growth");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function largestHeapMb(limit: boolean): Promise<number> {
  const script = path.join(dir, `churn-${limit}.mjs`);
  await writeFile(script, churn(limit));
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", script], {
    cwd: fileURLToPath(new URL("../../..", import.meta.url)),
  });
  return Number(stdout);
}

describe("keepHeapNearLiveSize", () => {
  it("makes V8 collect sooner in a running process: the largest heap of a garbage-heavy run shrinks", async () => {
    const [withDefault, kept] = await Promise.all([largestHeapMb(false), largestHeapMb(true)]);
    expect(withDefault).toBeGreaterThan(0);
    // V8's default lets this heap grow to several times its ~60 MB live size; 50 % growth cannot.
    expect(kept, `largest heap ${kept} MB kept near live size, ${withDefault} MB by default`).toBeLessThan(
      withDefault * 0.75,
    );
  });

  it("is set once per process and says what is in effect", () => {
    expect(keepHeapNearLiveSize()).toBe(HEAP_GROWING_PERCENT);
    expect(keepHeapNearLiveSize(200)).toBe(HEAP_GROWING_PERCENT);
  });
});
