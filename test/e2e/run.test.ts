import { randomUUID } from "node:crypto";
import { mkdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openHomeDatabase } from "../../functions/cli/home-database.ts";
import { sipIdOf } from "../../functions/core/ids.ts";
import { stepmatica } from "../helpers/cli.ts";
import { manySmallFiles, mixedTransfer, tempDir } from "../helpers/fixtures.ts";
import { expectValidAip, listTree } from "./aip-checks.ts";

// One embedded home for the file: PGlite's first start (initdb) is the slow part of a run.
let root: string;
let env: Record<string, string>;
beforeAll(async () => {
  root = await tempDir("e2e-run");
  env = { STEPMATICA_HOME: path.join(root, "home") };
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function transitionsOf(home: string, unitIds: string[]): Promise<number> {
  const sql = await openHomeDatabase(home);
  try {
    const r = await sql.query<{ n: number }>(
      "select coalesce(sum(transitions), 0)::int as n from executions where unit_id in (select jsonb_array_elements_text($1::jsonb)::uuid)",
      [unitIds],
    );
    return Number(r.rows[0]!.n);
  } finally {
    await sql.close();
  }
}

describe("stepmatica run on the embedded default", () => {
  it("makes a valid AIP: bag, byte-identical originals, schema-valid METS; status shows every job with exit 0", async () => {
    const source = path.join(root, "mixed");
    const originals = await mixedTransfer(source);
    const out = path.join(root, "aips-mixed");
    const run = await stepmatica(
      ["run", source, "--out", out, "--set", "aip_compression=none", "--json"],
      env,
    );
    expect(run.stderr).not.toMatch(/failed|rejected/);
    expect(run.code).toBe(0);
    expect(run.json).toMatchObject({ status: "completed", reason: null, files: originals.length });
    const aip = String(run.json!.aip);
    expect(path.dirname(aip)).toBe(out);
    const xml = await expectValidAip(aip, source, originals);
    expect(xml).toContain("message digest calculation");
    expect(xml).toContain("ingestion");

    const status = await stepmatica(["status", String(run.json!.id), "--json"], env);
    expect(status.code).toBe(0);
    type JobView = {
      exitCode: number;
      description: string;
      cpuS: number | null;
      peakRssMb: number | null;
      tasks: Array<{ cpuS: number | null; peakRssMb: number | null }>;
    };
    const units = (status.json as { units: Array<{ microservices: Array<{ jobs: JobView[] }> }> }).units;
    expect(units).toHaveLength(2);
    const jobs = units.flatMap((u) => u.microservices.flatMap((m) => m.jobs));
    expect(jobs.length).toBeGreaterThanOrEqual(13);
    expect(jobs.every((j) => j.exitCode === 0)).toBe(true);
    // What each job cost is recorded: the characterization job runs ExifTool and MediaInfo.
    const characterize = jobs.find((j) => j.description.startsWith("Characterize"));
    expect(characterize?.cpuS).toBeGreaterThan(0);
    expect(characterize?.peakRssMb).toBeGreaterThan(0);
    for (const job of jobs.filter((j) => j.tasks.length > 0)) {
      expect(job.tasks.every((t) => t.cpuS !== null && t.peakRssMb !== null && t.peakRssMb > 0)).toBe(true);
      expect(job.peakRssMb).toBe(Math.max(...job.tasks.map((t) => t.peakRssMb ?? 0)));
    }
    const text = await stepmatica(["status", String(run.json!.id)], env);
    expect(text.stdout).toContain("Assign file UUIDs and checksums");
    expect(text.stdout).toMatch(/Characterize and extract metadata .* s CPU, \d+ MB peak/);
  });

  it("two deterministic runs with the same id give byte-identical AIP folders", async () => {
    const source = path.join(root, "det");
    await mixedTransfer(source);
    const id = randomUUID();
    const trees: Array<Map<string, Buffer>> = [];
    for (const n of [1, 2]) {
      // Separate homes: the same --id twice in one home is one transfer (tested below).
      const home = path.join(root, `det-home-${n}`);
      const out = path.join(root, `det-out-${n}`);
      const run = await stepmatica(
        [
          "run",
          source,
          "--out",
          out,
          "--set",
          "aip_compression=none",
          "--id",
          id,
          "--deterministic",
          "--json",
        ],
        { STEPMATICA_HOME: home, SOURCE_DATE_EPOCH: "1700000000" },
      );
      expect(run.code, run.stderr).toBe(0);
      const aip = String(run.json!.aip);
      const files = new Map<string, Buffer>();
      for (const rel of await listTree(aip)) files.set(rel, await readFile(path.join(aip, rel)));
      trees.push(files);
    }
    expect([...trees[0]!.keys()]).toEqual([...trees[1]!.keys()]);
    for (const [rel, bytes] of trees[0]!) expect(bytes.equals(trees[1]!.get(rel)!), rel).toBe(true);
    expect(trees[0]!.get("bag-info.txt")!.toString()).toContain("Bagging-Date: 2023-11-14");
  }, 180_000); // two fresh homes: two first starts of the embedded database

  it("the same --id again is the same transfer: no second AIP", async () => {
    const source = path.join(root, "twice");
    await mixedTransfer(source);
    const id = randomUUID();
    const out = path.join(root, "aips-twice");
    const first = await stepmatica(
      ["run", source, "--out", out, "--id", id, "--json", "--set", "aip_compression=none"],
      env,
    );
    const second = await stepmatica(
      ["run", source, "--out", out, "--id", id, "--json", "--set", "aip_compression=none"],
      env,
    );
    expect(first.code).toBe(0);
    expect(second.code).toBe(0);
    expect(second.json).toEqual(first.json);
    expect((await listTree(out)).filter((f) => f.endsWith("bagit.txt"))).toHaveLength(1);
  });

  it("1,000 files complete, and the state machine takes as many transitions as for 10", async () => {
    const counts: number[] = [];
    for (const n of [10, 1000]) {
      const source = path.join(root, `many-${n}`);
      await mkdir(source, { recursive: true });
      await manySmallFiles(source, n);
      const run = await stepmatica(
        ["run", source, "--out", path.join(root, `aips-${n}`), "--json", "--config", "automated"],
        env,
      );
      expect(run.code, run.stderr).toBe(0);
      expect(run.json!.files).toBe(n);
      const id = String(run.json!.id);
      counts.push(await transitionsOf(env.STEPMATICA_HOME!, [id, sipIdOf(id)]));
    }
    expect(counts[0]).toBeGreaterThan(10);
    expect(counts[1]).toBe(counts[0]);
  });
});

describe("stepmatica run refuses what cannot be a transfer, in one line naming the path", () => {
  it("a path that does not exist", async () => {
    const missing = path.join(root, "no-such-folder");
    const run = await stepmatica(["run", missing, "--json"], env);
    expect(run.code).toBe(1);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toContain(missing);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("an empty folder", async () => {
    const empty = path.join(root, "empty");
    await mkdir(path.join(empty, "sub"), { recursive: true });
    const run = await stepmatica(["run", empty], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(empty);
    expect(run.stderr).toMatch(/holds no files/);
  });

  it("usage errors exit 2: unknown setting, bad value, bad id, no path", async () => {
    const source = path.join(root, "mixed");
    expect((await stepmatica(["run", source, "--set", "colour=blue"], env)).code).toBe(2);
    expect((await stepmatica(["run", source, "--set", "normalize=sometimes"], env)).code).toBe(2);
    expect((await stepmatica(["run", source, "--id", "not-a-uuid"], env)).code).toBe(2);
    expect((await stepmatica(["run"], env)).code).toBe(2);
    expect((await stepmatica(["frobnicate"], env)).code).toBe(2);
    const unknown = await stepmatica(["run", source, "--set", "colour=blue"], env);
    expect(unknown.stderr).toContain('unknown processing-configuration key "colour"');
  });
});
