import { readFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { descendants } from "../core/process-tree.ts";
import { recordStatements, statementStats } from "./counting.ts";
import { runPipeline } from "./pipeline.ts";

/**
 * CPU seconds and peak RSS (VmHWM, the kernel's own high-water mark) by command name of every
 * descendant seen, sampled every 100 ms (a process's last sample before it ends: a short-lived tool
 * is undercounted by up to one interval; the pipeline's own tree total, which counts reaped children
 * exactly, is printed beside it). The peak is the largest one process of that name reached, so the
 * database owner's figure includes whatever it did before the run (its start, the warm-up).
 */
function sampleCpuByCommand() {
  const last = new Map<number, { command: string; ticks: number; systemTicks: number; peakKb: number }>();
  const sample = () => {
    for (const pid of descendants()) {
      try {
        const text = readFileSync(`/proc/${pid}/stat`, "utf8");
        const command = text.slice(text.indexOf("(") + 1, text.lastIndexOf(")"));
        const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
        const peak = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
        const systemTicks = Number(f[12]);
        last.set(pid, {
          command,
          ticks: Number(f[11]) + systemTicks,
          systemTicks,
          peakKb: Number(peak?.[1] ?? 0),
        });
      } catch {
        // ended meanwhile
      }
    }
  };
  const timer = setInterval(sample, 100);
  const baseline = new Map<number, { ticks: number; systemTicks: number }>();
  sample();
  for (const [pid, v] of last) baseline.set(pid, v);
  return () => {
    sample();
    clearInterval(timer);
    const by = new Map<
      string,
      { seconds: number; systemSeconds: number; processes: number; peakMb: number }
    >();
    for (const [pid, v] of last) {
      const e = by.get(v.command) ?? { seconds: 0, systemSeconds: 0, processes: 0, peakMb: 0 };
      e.seconds += (v.ticks - (baseline.get(pid)?.ticks ?? 0)) / 100;
      e.systemSeconds += (v.systemTicks - (baseline.get(pid)?.systemTicks ?? 0)) / 100;
      e.processes += 1;
      e.peakMb = Math.max(e.peakMb, Math.round(v.peakKb / 1024));
      by.set(v.command, e);
    }
    return by;
  };
}

/**
 * The machine's busy CPU (user, nice, system, irq, softirq ticks of /proc/stat's first line), sampled
 * every 100 ms with the time: how many cores were busy inside each job shows where the run leaves the
 * machine idle (work that could overlap) and where it is already CPU-bound.
 */
function sampleMachineCpu() {
  const samples: { ms: number; ticks: number }[] = [];
  const sample = () => {
    const f = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).map(Number);
    samples.push({ ms: Date.now(), ticks: f[1]! + f[2]! + f[3]! + f[6]! + f[7]! });
  };
  sample();
  const timer = setInterval(sample, 100);
  return {
    stop: () => clearInterval(timer),
    /** Cores busy on average between two moments (the samples nearest inside them). */
    coresBusy(fromMs: number, toMs: number): number | null {
      const inside = samples.filter((s) => s.ms >= fromMs && s.ms <= toMs);
      if (inside.length < 2) return null;
      const first = inside[0]!;
      const last = inside.at(-1)!;
      return (last.ticks - first.ticks) / 100 / ((last.ms - first.ms) / 1000);
    },
  };
}

/**
 * `npx tsx functions/bench/profile-run.ts [files] [folders]`: one transfer of small files through
 * the embedded pipeline (as files_10k), after a 10-file warm-up, printing where the time went —
 * every job's wall and task seconds, the tools started, the calls through the ports, the process
 * tree's CPU seconds and the load average (the machine may be shared). For profiling, run it under
 * `node --cpu-prof --import tsx` (and the database owner with STEPMATICA_OWNER_CPU_PROF=DIR).
 */
const files = Number(process.argv[2] ?? 10_000);
const folders = process.argv[3] ? Number(process.argv[3]) : undefined;
const scratch = await mkdtemp(path.join(tmpdir(), "stepmatica-profile-"));
const home = path.join(scratch, "home");
let machine: ReturnType<typeof sampleMachineCpu> | null = null;
let byCommand = new Map<
  string,
  { seconds: number; systemSeconds: number; processes: number; peakMb: number }
>();
try {
  await runPipeline(home, scratch, 10);
  statementStats.clear();
  recordStatements();
  const before = loadavg();
  const ownBefore = process.resourceUsage();
  const stopSampling = sampleCpuByCommand();
  machine = sampleMachineCpu();
  const r = await runPipeline(home, scratch, files, folders, () => {
    byCommand = stopSampling();
    machine?.stop();
  });
  const after = loadavg();
  const ownAfter = process.resourceUsage();
  console.log(`${files} files: ${r.status}`);
  console.log(
    `wall ${r.wall_s} s, CPU ${r.cpu_s} s (tools ${r.cpu_children_s}), peak RSS ${r.peak_rss_mb} MB (Node alone ${r.peak_rss_self_mb} MB), load average ${before[0].toFixed(2)} → ${after[0].toFixed(2)}`,
  );
  const ownSeconds = (field: "userCPUTime" | "systemCPUTime") => (ownAfter[field] - ownBefore[field]) / 1e6;
  console.log(
    `this process: ${ownSeconds("userCPUTime").toFixed(2)} s user, ${ownSeconds("systemCPUTime").toFixed(2)} s in the kernel`,
  );
  console.log(`calls ${JSON.stringify(r.calls)}`);
  console.log(`tools started through runTool ${JSON.stringify(r.tool_invocations)}`);
  for (const [command, v] of [...byCommand].sort((a, b) => b[1].seconds - a[1].seconds))
    console.log(
      `  CPU ${v.seconds.toFixed(2)} s (${v.systemSeconds.toFixed(2)} in the kernel) in ${v.processes} process(es) named ${command}, peak RSS of one ${v.peakMb} MB`,
    );
  const width = Math.max(...r.breakdown.map((b) => b.job.length));
  console.log(`${"job".padEnd(width)}  wall_s  tasks  task_s  peak_mb  cores busy (of ${cpus().length})`);
  for (const b of r.breakdown) {
    const busy = machine?.coresBusy(b.from_ms, b.to_ms);
    console.log(
      `${b.job.padEnd(width)}  ${b.wall_s.toFixed(3).padStart(6)}  ${String(b.tasks).padStart(5)}  ${b.task_s.toFixed(3).padStart(6)}  ${String(b.peak_rss_mb ?? "-").padStart(7)}  ${busy == null ? "-" : busy.toFixed(2)}`,
    );
  }
  console.log("statements by time waited (count, ms, parameter MB, text):");
  for (const [text, v] of [...statementStats].sort((a, b) => b[1].ms - a[1].ms).slice(0, 15))
    console.log(`  ${v.count} ${v.ms.toFixed(0)} ms ${(v.paramChars / 1e6).toFixed(1)} MB  ${text}`);
  // For matching V8 CPU profiles (timestamps on the monotonic clock, microseconds) to the jobs.
  const clock = { epoch_ms: Date.now(), monotonic_us: Number(process.hrtime.bigint() / 1000n) };
  console.log(`timeline ${JSON.stringify({ clock, jobs: r.breakdown })}`);
  const summed = r.breakdown.reduce((s, b) => s + b.wall_s, 0);
  console.log(
    `sum of job walls ${summed.toFixed(2)} s; the rest (${(r.wall_s - summed).toFixed(2)} s) is between jobs`,
  );
} finally {
  await rm(scratch, { recursive: true, force: true });
}
