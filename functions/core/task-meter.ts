import { childrenCpuSeconds, descendants, rssBytes } from "./process-tree.ts";

/** What one task cost, as recorded in its row (tasks.cpu_s, tasks.peak_rss_mb). */
export interface TaskResources {
  /** CPU seconds of the worker's process tree while the task ran: Node and the tools it started. */
  cpuS: number;
  /** The largest resident memory of the worker's process tree seen while the task ran, in MB. */
  peakRssMb: number;
}

/**
 * Meters tasks for their records, cheaply enough for the no-op task of the overhead benchmark: one
 * sampler, running only while a task is metered, lists the process tree (/proc) every
 * SAMPLE_MS and adds up its RSS; a task reads process.cpuUsage() and its children's CPU (reaped
 * ones from /proc/self/stat, live ones by the sampler's last list) when it starts and ends.
 *
 * What the figures mean: tasks that run at the same time in one worker process share its tree, so
 * each one's figures include what its neighbours used (an operator comparing jobs sees which cost
 * what; the sum over concurrent tasks over-counts). On AWS a Lambda or ECS task runs one task per
 * process, so there the figures are that task's alone. Linux only (/proc); elsewhere the tools
 * are not counted and memory is Node's alone.
 */
const SAMPLE_MS = 100;

interface Active {
  peak: number;
}

const active = new Set<Active>();
let live: number[] = [];
let timer: NodeJS.Timeout | null = null;

function treeRss(): number {
  let total = process.memoryUsage.rss();
  for (const pid of live) total += rssBytes(pid);
  return total;
}

function sample(): void {
  live = descendants();
  const rss = treeRss();
  for (const meter of active) meter.peak = Math.max(meter.peak, rss);
}

function cpuNow(): number {
  const own = process.cpuUsage();
  return (own.user + own.system) / 1e6 + childrenCpuSeconds(live);
}

/** Starts metering one task; call the returned function when it ends. */
export function meterTask(): () => TaskResources {
  const meter: Active = { peak: treeRss() };
  if (active.size === 0) {
    live = descendants();
    timer = setInterval(sample, SAMPLE_MS);
    timer.unref();
  }
  active.add(meter);
  const cpuStart = cpuNow();
  return () => {
    const cpu = cpuNow() - cpuStart;
    meter.peak = Math.max(meter.peak, treeRss());
    active.delete(meter);
    if (active.size === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
    return {
      cpuS: Math.max(0, Math.round(cpu * 1000) / 1000),
      peakRssMb: Math.round((meter.peak / 2 ** 20) * 10) / 10,
    };
  };
}
