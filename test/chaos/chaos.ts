import { randomUUID } from "node:crypto";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { openHomeDatabase } from "../../functions/cli/home-database.ts";
import { jobsOf } from "../../workflows/index.ts";
import { listTree } from "../e2e/aip-checks.ts";
import { killGroup, spawnCli, stopHomeOwner } from "../helpers/cli-process.ts";

export interface ChaosOptions {
  files: number;
  kills: number;
  seed: number;
  /** Longest wait after the targeted job starts before the kill. */
  maxDelayMs?: number;
  log?: (line: string) => void;
}

export interface ChaosReport {
  id: string;
  cleanSeconds: number;
  /** Each kill: the command killed, how long into the targeted job, and what happened. */
  kills: Array<{ command: string; afterMs: number; outcome: string }>;
  identical: boolean;
  differences: string[];
  aipFiles: number;
  retriedTasks: number;
  duplicateJobs: number;
  unfinishedTasks: number;
}

/** A small deterministic PRNG (mulberry32): the same seed kills at the same moments. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function cli(args: string[], home: string, onOutput?: (text: string) => void) {
  return spawnCli(args, home, onOutput ? { onOutput } : {});
}

async function generate(root: string, files: number): Promise<void> {
  for (let i = 0; i < files; i++) {
    const dir = path.join(root, `box-${i % 12}`, `folder-${i % 5}`);
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, `item-${i}.txt`), `item ${i}\n${"x".repeat(i % 97)}\n`);
  }
}

/**
 * Runs a transfer cleanly, then again with the process SIGKILLed at random moments (dispatch,
 * mid-task, while the AIP is written) and resumed after each kill; compares the two AIPs byte for
 * byte and checks the task table of the chaotic run.
 */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => {});
  const rand = random(options.seed);
  const root = path.join(tmpdir(), `stepmatica-chaos-${randomUUID()}`);
  const source = path.join(root, "transfer");
  await generate(source, options.files);
  const id = randomUUID();
  const common = [
    "--id",
    id,
    "--deterministic",
    "--json",
    "--set",
    "aip_compression=none",
    "--config",
    "automated",
  ];
  try {
    const cleanHome = path.join(root, "clean-home");
    await cli(["list"], cleanHome).done; // the embedded database's first start is not part of a run
    const started = Date.now();
    const clean = await cli(["run", source, "--out", path.join(root, "clean-out"), ...common], cleanHome)
      .done;
    const cleanSeconds = (Date.now() - started) / 1000;
    if (clean.code !== 0) throw new Error(`the clean run failed: ${clean.out}`);
    log(`clean run: ${cleanSeconds.toFixed(1)} s`);

    const home = path.join(root, "chaos-home");
    const out = path.join(root, "chaos-out");
    await cli(["list"], home).done; // create the embedded database before the chaos starts
    // Kill points spread over the workflow: each kill waits for a later job to start (progress
    // lines name it), then a random moment inside it — dispatch, mid-task, writing the AIP.
    const jobs = [...jobsOf("transfer").values(), ...jobsOf("ingest").values()]
      .filter((j) => j.id !== "record_failure")
      .map((j) => j.description);
    const kills: ChaosReport["kills"] = [];
    let exists = false;
    for (let i = 0; i < options.kills; i++) {
      const targetIndex = Math.min(jobs.length - 1, Math.floor(((i + rand()) * jobs.length) / options.kills));
      const target = jobs[targetIndex]!;
      const args = exists ? ["resume", id, "--out", out, "--json"] : ["run", source, "--out", out, ...common];
      const delayMs = Math.round(rand() * (options.maxDelayMs ?? 400));
      let armed = false;
      const proc = cli(args, home, (text) => {
        // A resumed run may start past the target: any later job arms the kill too.
        if (!armed && jobs.some((job, index) => index >= targetIndex && text.includes(job))) {
          armed = true;
          setTimeout(() => killGroup(proc.child), delayMs);
        }
      });
      const result = await proc.done;
      const outcome = result.signal === "SIGKILL" ? "killed" : `exit ${result.code} before the kill`;
      log(`${args[0]}: kill ${delayMs} ms into "${target}": ${outcome}`);
      kills.push({ command: args[0]!, afterMs: delayMs, outcome: `${target}: ${outcome}` });
      exists = exists || (await unitExists(home, id));
      if (result.code === 0) break; // finished: nothing left to interrupt
    }
    const final = await cli(["resume", id, "--out", out, "--json"], home).done;
    log(`final resume: exit ${final.code}`);
    const cleanAip = path.join(root, "clean-out");
    const differences = await compareTrees(cleanAip, out);
    const stats = await taskStats(home);
    return {
      id,
      cleanSeconds,
      kills,
      identical: differences.length === 0,
      differences,
      aipFiles: (await listTree(out)).length,
      ...stats,
    };
  } finally {
    for (const home of ["clean-home", "chaos-home"]) await stopHomeOwner(path.join(root, home));
    await rm(root, { recursive: true, force: true });
  }
}

async function unitExists(home: string, id: string): Promise<boolean> {
  const sql = await openHomeDatabase(home);
  try {
    return (await sql.query("select 1 from units where id = $1", [id])).rowCount > 0;
  } catch {
    return false;
  } finally {
    await sql.close();
  }
}

export async function compareTrees(a: string, b: string): Promise<string[]> {
  const left = await listTree(a);
  const right = await listTree(b);
  const differences: string[] = [];
  for (const rel of new Set([...left, ...right])) {
    if (!left.includes(rel) || !right.includes(rel))
      differences.push(`${rel}: only in ${left.includes(rel) ? "clean" : "chaos"} run`);
    else if (!(await readFile(path.join(a, rel))).equals(await readFile(path.join(b, rel))))
      differences.push(`${rel}: bytes differ`);
  }
  return differences.sort();
}

export async function taskStats(home: string) {
  const sql = await openHomeDatabase(home);
  try {
    const one = async (q: string) => Number((await sql.query<{ n: number }>(q)).rows[0]?.n ?? 0);
    return {
      retriedTasks: await one("select count(*)::int as n from tasks where attempt > 1"),
      duplicateJobs: await one(
        "select count(*)::int as n from (select execution_id, name from jobs group by 1, 2 having count(*) > 1) d",
      ),
      unfinishedTasks: await one("select count(*)::int as n from tasks where status <> 'done'"),
    };
  } finally {
    await sql.close();
  }
}
