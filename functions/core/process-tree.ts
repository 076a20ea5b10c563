import { readdirSync, readFileSync } from "node:fs";

/**
 * CPU time and memory of this process *and* the tools it starts (ClamAV, ExifTool, MediaInfo,
 * ffmpeg), read from /proc. Node's process.cpuUsage() and process.resourceUsage() are
 * RUSAGE_SELF only, and Node offers no getrusage(RUSAGE_CHILDREN); even that would report the
 * largest single child's ru_maxrss, not what the tree held at once. So:
 *
 * - CPU: /proc/self/stat cutime + cstime (every child that ended and was reaped) plus, for each
 *   descendant still running (ExifTool is kept running between batches), its own utime + stime +
 *   cutime + cstime. The difference between two readings is the tree's CPU in between, whether a
 *   child ended in between or not.
 * - Memory: the sum of VmRSS over this process and every live descendant, sampled every 50 ms; the
 *   peak is the largest sum seen. A child that lives less than one interval can be missed (a
 *   ClamAV batch runs for seconds, ExifTool for the whole job, so the figures that matter are seen).
 *
 * Linux only (the bench machine and the worker image); elsewhere the tree is this process alone.
 */

const TICKS_PER_SECOND = 100; // USER_HZ: 100 on every Linux architecture Node supports

function statFields(pid: number | "self"): string[] | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may hold spaces: split after the last ")".
    return text.slice(text.lastIndexOf(")") + 2).split(" ");
  } catch {
    return null; // the process ended between listing and reading
  }
}

// Field n of /proc/<pid>/stat (1-based, man 5 proc) is index n - 3 after the command name.
const UTIME = 14 - 3;
const STIME = 15 - 3;
const CUTIME = 16 - 3;
const CSTIME = 17 - 3;

/** How long the children of a process's other threads are taken from the last look. */
const OTHER_THREADS_MS = 1_000;
const otherThreadsSeen = new Map<number, { at: number; children: number[] }>();

/**
 * Child process ids of `pid`. Linux lists a child under the thread that forked it. Node forks on its
 * event-loop thread, the main one, and so do the tools; other threads rarely do (tsx's module
 * loader thread starts esbuild once, for the whole run). So the main thread's list is read at every
 * look and the other threads' lists once a second: the samplers look at the tree ten to twenty times
 * a second, and reading the lists of every thread (a Node process has about ten) each time cost the
 * main thread 0.4 ms a look, about 1 s of a 24 s run (BENCHMARKS.md).
 */
function childrenOf(pid: number | "self"): number[] {
  const id = pid === "self" ? process.pid : pid;
  const found = childList(id, id);
  const now = performance.now();
  let others = otherThreadsSeen.get(id);
  if (!others || now - others.at > OTHER_THREADS_MS) {
    let threads: string[] = [];
    try {
      threads = readdirSync(`/proc/${id}/task`);
    } catch {
      // the process ended meanwhile
    }
    others = {
      at: now,
      children: threads.filter((tid) => Number(tid) !== id).flatMap((tid) => childList(id, Number(tid))),
    };
    otherThreadsSeen.set(id, others);
    // Processes come and go (a tool run per batch): forget those not looked at for a while.
    if (otherThreadsSeen.size > 64)
      for (const [seen, entry] of otherThreadsSeen)
        if (now - entry.at > 10 * OTHER_THREADS_MS) otherThreadsSeen.delete(seen);
  }
  for (const child of others.children) if (!found.includes(child)) found.push(child);
  return found;
}

function childList(pid: number, tid: number): number[] {
  try {
    const text = readFileSync(`/proc/${pid}/task/${tid}/children`, "utf8").trim();
    return text ? text.split(" ").map(Number) : [];
  } catch {
    return []; // the thread or process ended meanwhile
  }
}

/** Every live descendant of this process (children, their children, …). */
export function descendants(): number[] {
  const all: number[] = [];
  const pending = childrenOf("self");
  while (pending.length > 0) {
    const pid = pending.pop()!;
    all.push(pid);
    pending.push(...childrenOf(pid));
  }
  return all;
}

/** CPU seconds of the process tree: this process, reaped children and live descendants. */
export function treeCpuSeconds(): { self: number; children: number } {
  const own = process.cpuUsage();
  return { self: (own.user + own.system) / 1e6, children: childrenCpuSeconds(descendants()) };
}

/**
 * CPU seconds of this process's children: those reaped (cutime + cstime of /proc/self/stat) plus
 * the processes in `live` (descendants still running, with what they reaped themselves).
 */
export function childrenCpuSeconds(live: readonly number[]): number {
  const self = statFields("self");
  let ticks = self ? Number(self[CUTIME]) + Number(self[CSTIME]) : 0;
  for (const pid of live) {
    const f = statFields(pid);
    if (f) ticks += Number(f[UTIME]) + Number(f[STIME]) + Number(f[CUTIME]) + Number(f[CSTIME]);
  }
  return ticks / TICKS_PER_SECOND;
}

/** VmRSS of one process in bytes (0 once it has ended). */
export function rssBytes(pid: number | "self"): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Resident memory of this process plus every live descendant, now. */
export function treeRssBytes(): number {
  let total = Math.max(rssBytes("self"), process.memoryUsage().rss);
  for (const pid of descendants()) total += rssBytes(pid);
  return total;
}

/** Samples the tree's RSS every `intervalMs` until stopped; `peak()` is the largest sum seen. */
export function sampleTreeRss(intervalMs = 50) {
  let peak = treeRssBytes();
  let selfPeak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, treeRssBytes());
    selfPeak = Math.max(selfPeak, process.memoryUsage().rss);
  }, intervalMs);
  return {
    peak: () => Math.max(peak, treeRssBytes()),
    selfPeak: () => selfPeak,
    stop: () => clearInterval(timer),
  };
}
