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
 * sampler, running while tasks are metered, lists the process tree (/proc) every SAMPLE_MS and
 * reads its children's CPU (reaped ones from /proc/self/stat, live ones from their own stat) and the
 * tree's summed RSS; a task reads process.cpuUsage() when it starts and ends, and /proc again at its
 * end when it ran longer than FRESH_AFTER_MS.
 *
 * What the figures mean: tasks that run at the same time in one worker process share its tree, so
 * each one's figures include what its neighbours used (an operator comparing jobs sees which cost
 * what; the sum over concurrent tasks over-counts). On AWS a Lambda or ECS task runs one task per
 * process, so there the figures are that task's alone. Linux only (/proc); elsewhere the tools
 * are not counted and memory is Node's alone.
 */
const SAMPLE_MS = 100;
/** The sampler keeps running this long after the last task ended (a line of short tasks starts it once). */
const LINGER_MS = 2_000;
/**
 * A task shorter than this reads /proc no more: it takes the sampler's last figures (no tool starts,
 * runs and is reaped that fast, and a no-op task must stay cheap: the overhead benchmark).
 */
const FRESH_AFTER_MS = 5;

interface Active {
  peak: number;
}

const active = new Set<Active>();
let live: number[] = [];
let timer: NodeJS.Timeout | null = null;
let idleSince = 0;
/** The latest readings, by the sampler or a task's end: children's CPU seconds and the tree's RSS. */
let childrenCpu = 0;
let rss = 0;

function read(): void {
  childrenCpu = childrenCpuSeconds(live);
  rss = process.memoryUsage.rss();
  for (const pid of live) rss += rssBytes(pid);
  for (const meter of active) meter.peak = Math.max(meter.peak, rss);
}

function sample(): void {
  if (active.size === 0 && performance.now() - idleSince > LINGER_MS) {
    if (timer) clearInterval(timer);
    timer = null;
    return;
  }
  live = descendants();
  read();
}

function ownCpu(): number {
  const own = process.cpuUsage();
  return (own.user + own.system) / 1e6;
}

/** Starts metering one task; call the returned function when it ends (once). */
export function meterTask(): () => TaskResources {
  if (!timer) {
    live = descendants();
    read();
    timer = setInterval(sample, SAMPLE_MS);
    timer.unref();
  }
  const meter: Active = { peak: rss };
  active.add(meter);
  const started = performance.now();
  const cpuStart = ownCpu() + childrenCpu;
  return () => {
    if (performance.now() - started > FRESH_AFTER_MS) read();
    const cpu = ownCpu() + childrenCpu - cpuStart;
    meter.peak = Math.max(meter.peak, rss);
    active.delete(meter);
    if (active.size === 0) idleSince = performance.now();
    return {
      cpuS: Math.max(0, Math.round(cpu * 1000) / 1000),
      peakRssMb: Math.round((meter.peak / 2 ** 20) * 10) / 10,
    };
  };
}
