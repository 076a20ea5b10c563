import { setFlagsFromString } from "node:v8";

/**
 * How far V8 lets the heap grow past what the last full collection kept alive before it collects
 * again, in percent. By default V8 lets it grow up to fourfold, bounded only by the heap limit
 * (4 GB on a machine with 16 GB or more): a process that runs thousands of short tasks, each making
 * garbage and keeping little, then holds mostly garbage. Measured on the embedded pipeline at
 * 200,000 files: Node's peak 683-915 MB with V8's default (BENCHMARKS.md, "The 200,000-file run").
 * Unlike a heap limit (--max-old-space-size, which cannot be set once the process runs), this
 * never stops a process that needs more: it only collects sooner.
 */
export const HEAP_GROWING_PERCENT = 50;

let applied: number | null = null;

/**
 * Makes V8 collect once the heap has grown HEAP_GROWING_PERCENT past its live size. For processes
 * that run tasks (the embedded runtime, the worker); idempotent. Returns the percent in effect.
 */
export function keepHeapNearLiveSize(percent = HEAP_GROWING_PERCENT): number {
  if (applied === null) {
    setFlagsFromString(`--heap-growing-percent=${percent}`);
    applied = percent;
  }
  return applied;
}
