import { chmod, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openRuntime } from "../../functions/cli/runtime.ts";
import { runWatchdog } from "../../functions/core/watchdog.ts";
import { stepmatica } from "../helpers/cli.ts";
import { tempDir } from "../helpers/fixtures.ts";
import { processGone } from "./processes.ts";

/**
 * A hung external tool: a `clamscan` on PATH that answers --version and then, for a scan, starts a
 * child that sleeps and waits for it. With scan_for_viruses' timeout set to 3 s, the run must fail
 * with "timed out after 3 s" naming the job within a few seconds of the tool starting, and the
 * tool's whole process group (the sleeping child included) must be gone.
 */
const TIMEOUT_S = 3;
let root: string;
const saved = { PATH: process.env.PATH, socket: process.env.STEPMATICA_CLAMD_SOCKET };

beforeAll(async () => {
  root = await tempDir("hung-tool");
  const bin = path.join(root, "bin");
  await mkdir(bin);
  const script = [
    "#!/bin/sh",
    'if [ "$1" = "--version" ]; then echo "ClamAV 1.4.3/27000/Mon Jan  1 00:00:00 2026"; exit 0; fi',
    `date +%s%3N > "${root}/started"`,
    "sleep 600 &",
    `echo $! > "${root}/child.pid"`,
    "wait",
  ].join("\n");
  await writeFile(path.join(bin, "clamscan"), `${script}\n`);
  await chmod(path.join(bin, "clamscan"), 0o755);
  process.env.PATH = `${bin}${path.delimiter}${saved.PATH}`;
  process.env.STEPMATICA_CLAMD_SOCKET = "none"; // this clamscan, not a clamd that may be running here
});
afterAll(async () => {
  process.env.PATH = saved.PATH;
  if (saved.socket === undefined) delete process.env.STEPMATICA_CLAMD_SOCKET;
  else process.env.STEPMATICA_CLAMD_SOCKET = saved.socket;
  const pid = Number(await readFile(path.join(root, "child.pid"), "utf8").catch(() => "0"));
  if (pid > 0 && !(await processGone(pid))) process.kill(pid, "SIGKILL"); // never leave it behind
  await rm(root, { recursive: true, force: true });
});

describe("a hung tool", () => {
  it("is killed (process group) at the job's timeout and the transfer fails with that reason", async () => {
    const source = path.join(root, "deposit");
    await mkdir(path.join(source, "docs"), { recursive: true });
    await writeFile(path.join(source, "docs", "a.txt"), "a\n");
    await writeFile(path.join(source, "b.txt"), "b\n");
    const env = {
      STEPMATICA_HOME: path.join(root, "home"),
      STEPMATICA_JOB_TIMEOUTS: `scan_for_viruses=${TIMEOUT_S}`,
    };
    const run = await stepmatica(
      ["run", source, "--out", path.join(root, "aips"), "--config", "automated", "--json"],
      env,
    );
    const ended = Date.now();
    const started = Number(await readFile(path.join(root, "started"), "utf8"));
    const child = Number(await readFile(path.join(root, "child.pid"), "utf8"));

    expect(run.code).toBe(1);
    expect(run.json).toMatchObject({ status: "failed", aip: null });
    expect(String(run.json!.reason)).toMatch(/^Scan for viruses \/ .*timed out after 3 s/);
    expect(ended - started).toBeLessThan((TIMEOUT_S + 5) * 1000);
    expect(await processGone(child), `the sleeping child ${child} of the hung tool`).toBe(true);

    // The task itself recorded the timeout (exit 124), and the failure path ran.
    const status = await stepmatica(["status", String(run.json!.id), "--json"], env);
    const unit = (status.json as { units: Array<{ status: string; microservices: Array<{ jobs: Job[] }> }> })
      .units[0]!;
    expect(unit.status).toBe("failed");
    const jobs = unit.microservices.flatMap((m) => m.jobs);
    const scan = jobs.find((j) => j.job === "scan_for_viruses")!;
    // The state's timer (armed before the task starts) and the task's own fire a moment apart: the
    // run usually ends first and leaves the job running (the watchdog below closes it), but when
    // its shutdown takes longer (a busy machine, the database owner's socket) the task's exit 124
    // is recorded first. Either way the job ends failed with 124, checked after the watchdog.
    expect(["running", "failed"]).toContain(scan.status);
    expect(jobs.at(-1)!.job).toBe("record_failure");
    expect(jobs.some((j) => j.job === "change_filenames")).toBe(false);
    // The state timed out first (it is armed before the task starts), so the run ended while the
    // task was still out; the CLI's shutdown gave the task back. The watchdog closes such jobs.
    const rt = await openRuntime({ home: env.STEPMATICA_HOME, out: path.join(root, "aips"), workers: false });
    try {
      await runWatchdog(rt, { orphanGraceSeconds: 0 });
      const all = await rt.store.listJobs(String(run.json!.id));
      const job = all.find((j) => j.name === "scan_for_viruses")!;
      // The failure path was entered at the job's timeout after the job was: not sooner, not much later.
      const failedAt = all.find((j) => j.name === "record_failure")!.createdAt.getTime();
      expect(failedAt - job.createdAt.getTime()).toBeGreaterThanOrEqual(TIMEOUT_S * 1000 - 50);
      expect(failedAt - job.createdAt.getTime()).toBeLessThan((TIMEOUT_S + 2) * 1000);
      expect([job.status, job.exitCode]).toEqual(["failed", 124]);
      const tasks = await rt.store.listTasks(job.id);
      expect(tasks.map((t) => [t.status, t.exitCode])).toEqual([["done", 124]]);
      expect(tasks[0]!.stderr).toMatch(/timed out after 3 s|abandoned, the unit is failed/);
      const left = await rt.sql.query("select count(*)::int as n from jobs where status = 'running'");
      expect(left.rows[0]).toEqual({ n: 0 });
    } finally {
      await rt.close();
    }
  });

  it("a bad STEPMATICA_JOB_TIMEOUTS is a usage error naming the entry", async () => {
    const run = await stepmatica(["run", root, "--json"], {
      STEPMATICA_HOME: path.join(root, "home-bad"),
      STEPMATICA_JOB_TIMEOUTS: "scan_for_virus=3",
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no job named "scan_for_virus"');
  });
});

interface Job {
  job: string;
  status: string;
  tasks: Array<{ exitCode: number | null; stderr: string }>;
}
