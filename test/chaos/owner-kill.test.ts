import { randomUUID } from "node:crypto";
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { type CliProcess, lastJson, spawnCli, stopHomeOwner } from "../helpers/cli-process.ts";
import { tempDir } from "../helpers/fixtures.ts";
import { compareTrees, taskStats } from "./chaos.ts";

// Two runs on one home, and the process that owns the home's embedded database is SIGKILLed while
// both are going: each run says so and stops, `resume` takes over (a new owner opens the data folder)
// and both finish with AIPs byte-identical to clean runs of the same transfers and ids.
const ENV = { STEPMATICA_DB_IDLE_SECONDS: "5" };
let root: string;
afterAll(async () => {
  if (!root) return;
  for (const home of ["clean-home", "home"]) await stopHomeOwner(path.join(root, home));
  await rm(root, { recursive: true, force: true });
});

async function transfer(dir: string, files: number, tag: string): Promise<string> {
  for (let i = 0; i < files; i++) {
    const folder = path.join(dir, `box-${i % 4}`);
    await mkdir(folder, { recursive: true });
    await writeFile(path.join(folder, `${tag}-${i}.txt`), `${tag} ${i}\n${"y".repeat(i % 53)}\n`);
  }
  return dir;
}

/**
 * Each run is frozen (SIGSTOP to its process group, so its tools too) the moment its output shows it
 * midway through the transfer, past its first jobs and talking to the owner. Waiting and then
 * killing raced: a 60-file run passes all its jobs in about a second, and under CI load one run
 * finished before the other had printed its first job (CI of b9cd08d).
 */
function runBoth(sources: string[], ids: string[], home: string, out: string, freezeAt?: RegExp) {
  const common = ["--deterministic", "--json", "--config", "automated", "--set", "aip_compression=none"];
  const frozen = new Set<number>();
  const runs: CliProcess[] = sources.map((source, i) => {
    const run: CliProcess = spawnCli(["run", source, "--out", out, "--id", ids[i]!, ...common], home, {
      env: ENV,
      onOutput: (text) => {
        const pid = run.child.pid;
        if (!freezeAt || pid === undefined || frozen.has(pid) || !freezeAt.test(text)) return;
        process.kill(-pid, "SIGSTOP");
        frozen.add(pid);
      },
    });
    return run;
  });
  return { runs, frozen };
}

it("SIGKILL of the database owner while two runs go: both finish after resume, AIPs identical to clean runs", async () => {
  root = await tempDir("owner-kill");
  const sources = [
    await transfer(path.join(root, "minutes"), 60, "minutes"),
    await transfer(path.join(root, "letters"), 60, "letters"),
  ];
  const ids = [randomUUID(), randomUUID()];

  const clean = await Promise.all(
    runBoth(sources, ids, path.join(root, "clean-home"), path.join(root, "clean-out")).runs.map(
      (r) => r.done,
    ),
  );
  for (const r of clean) expect(r.code, r.out).toBe(0);

  const home = path.join(root, "home");
  const out = path.join(root, "out");
  const midway =
    /Assign file UUIDs|Assign checksums|Verify transfer checksums|Scan for viruses|Identify file format/;
  const { runs, frozen } = runBoth(sources, ids, home, out, midway);
  while (frozen.size < runs.length) {
    expect(
      runs.every((r) => r.child.exitCode === null),
      runs.map((r) => r.output()).join("\n"),
    ).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  // Both are midway and hold connections to the owner: it dies, then they go on and find it gone.
  const owner = JSON.parse(await readFile(path.join(home, "db-owner.json"), "utf8")) as { pid: number };
  process.kill(owner.pid, "SIGKILL");
  for (const run of runs) process.kill(-run.child.pid!, "SIGCONT");

  const interrupted = await Promise.all(runs.map((r) => r.done));
  for (const [i, r] of interrupted.entries()) {
    expect(r.code, r.out).toBe(1);
    // One sentence naming the home, the owner and what to do.
    expect(r.out).toContain(`lost the database of home ${home}: its owner process ${owner.pid} stopped`);
    expect(r.out).toContain(`"stepmatica resume ${ids[i]}"`);
    expect(r.out).not.toMatch(/Aborted\(\)/);
  }

  const resumed = await Promise.all(
    ids.map((id) => spawnCli(["resume", id, "--out", out, "--json"], home, { env: ENV }).done),
  );
  for (const r of resumed) {
    expect(r.code, r.out).toBe(0);
    expect(lastJson(r.stdout)?.status).toBe("completed");
  }
  const log = await readFile(path.join(home, "db-owner.log"), "utf8");
  const owners = new Set([...log.matchAll(/db-owner (\d+): owner of /g)].map((m) => Number(m[1])));
  expect(owners.has(owner.pid) && owners.size >= 2, log).toBe(true);

  expect(await compareTrees(path.join(root, "clean-out"), out)).toEqual([]);
  const stats = await taskStats(home);
  expect(stats.duplicateJobs).toBe(0);
  expect(stats.unfinishedTasks).toBe(0);
}, 600_000);
