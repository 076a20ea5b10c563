import { mkdtemp, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { MemoryInFlight } from "../adapters/local/memory-in-flight.ts";
import { PgliteSql } from "../adapters/sql/pglite.ts";
import { type CliIo, usageError, writeLine } from "../cli/io.ts";
import { costOf } from "./cost.ts";
import { benchFloor } from "./floor.ts";
import { benchOverheadRepeated } from "./overhead.ts";
import { type PipelineResult, round, runPipeline } from "./pipeline.ts";
import { benchSha256 } from "./sha256.ts";

/** Sizes of each workload; --quick keeps the same shape with small numbers (the CI smoke run). */
const FULL = {
  files: 10_000,
  sha256Bytes: 2 ** 30,
  overheadTasks: 10_000,
  transitions: [10, 1000, 10_000],
  scaling: [1000, 10_000, 50_000],
  floorRounds: 3,
};
const QUICK = {
  files: 200,
  sha256Bytes: 64 * 2 ** 20,
  overheadTasks: 1000,
  transitions: [10, 100, 200],
  scaling: [100, 200],
  floorRounds: 2,
};

/** The transfer size --large adds to `scaling` (bounded memory at 200,000 files; minutes, so not by default). */
const LARGE_FILES = 200_000;

/**
 * `stepmatica bench [--json] [--quick] [--large]`: generates its own workloads, runs them, prints a
 * table.
 */
export async function benchCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      json: { type: "boolean" },
      quick: { type: "boolean" },
      large: { type: "boolean" },
      "only-large": { type: "boolean" },
      verbose: { type: "boolean" },
    },
  });
  if (positionals.length > 0) throw usageError("bench takes no arguments");
  if (values["only-large"]) values.large = true;
  const base = values.quick ? QUICK : FULL;
  const sizes = values.large ? { ...base, scaling: [...base.scaling, LARGE_FILES] } : base;
  const say = (line: string) => writeLine(values.json ? io.stderr : io.stdout, line);
  const scratch = await mkdtemp(path.join(tmpdir(), "stepmatica-bench-"));
  const home = path.join(scratch, "home");
  try {
    const runs = new Map<number, PipelineResult>();
    const pipeline = async (files: number) => {
      const cached = runs.get(files);
      if (cached) return cached;
      say(`pipeline: ${files} files …`);
      const result = await runPipeline(home, scratch, files);
      if (result.status !== "completed")
        throw new Error(`the ${files}-file run did not complete: ${result.status}`);
      say(
        `  ${result.wall_s} s, ${result.files_per_s} files/s, ${result.cpu_s} s CPU (tools ${result.cpu_children_s}), peak RSS ${result.peak_rss_mb} MB (Node ${result.peak_rss_self_mb}), ${result.transitions} transitions`,
      );
      runs.set(files, result);
      return result;
    };
    /**
     * The 200,000-file transfer: its files/s against the 10,000-file run's (`scaling`), and under
     * `large` its whole figures with the load average around it (memory is valid on a shared machine,
     * wall time is not: the load says how shared it was).
     */
    async function large() {
      const loadBefore = loadavg();
      const run = await pipeline(LARGE_FILES);
      const ten = await pipeline(sizes.files);
      const loadAfter = loadavg();
      return {
        scaling: { files_per_s: { [String(LARGE_FILES)]: run.files_per_s } },
        large: {
          ...filesFigures(run),
          files_per_s_vs_10k: round(run.files_per_s / ten.files_per_s),
          // Where the time and memory went at this size: every job's wall, tasks and largest tree RSS.
          breakdown: run.breakdown,
          load_average: { before: loadBefore.map((l) => round(l)), after: loadAfter.map((l) => round(l)) },
        },
      };
    }
    await pipeline(10); // first start of the embedded database, not measured below
    runs.clear();

    const main = await pipeline(sizes.files);
    // The memory run comes before the rest: the overhead bench opens PGlite in this process, and its
    // WebAssembly memory, which never shrinks, would count in the 200,000-file run's peak (a 10-file
    // run after it measured 1,294 MB).
    const largeRun = values.large ? await large() : null;
    if (largeRun && values["only-large"]) {
      // The memory run alone (files_10k, then 200,000 files): the rest of the bench is unchanged by it.
      const result = { machine: machine(), files_10k: filesFigures(main), ...largeRun };
      printTable(say, result);
      if (values.json) writeLine(io.stdout, JSON.stringify(result));
      return 0;
    }
    say(
      `floor: ${sizes.files} files in 20 folders through stepmatica and through its tools, ${sizes.floorRounds} round(s), each side first in turn …`,
    );
    const floor = await benchFloor(home, scratch, sizes.files, sizes.floorRounds);
    say(
      `  rounds: ${floor.rounds.map((r) => `${r.stepmatica_s} / ${r.tools_s} = ${r.ratio} (${r.first} first)`).join("; ")}`,
    );
    say(
      `  median round: stepmatica ${floor.stepmatica_s} s, tools ${floor.tools_s} s (${floor.tools.map((t) => `${t.tool} ${t.wall_s}`).join(", ")}), ratio ${floor.ratio} (${floor.ratio_at_quickest_tools} in the round whose tools ran quickest); CPU: stepmatica ${floor.stepmatica_cpu_s} s, tools ${floor.tools_cpu_s} s, ratio ${floor.cpu_ratio}`,
    );
    say("sha256 …");
    const sha256 = await benchSha256(scratch, sizes.sha256Bytes);
    say(
      `  module ${sha256.module_mb_s} MB/s, sha256sum ${sha256.sha256sum_mb_s} MB/s, openssl ${sha256.openssl_mb_s} MB/s`,
    );
    say("overhead …");
    const embedded = await benchOverheadRepeated(async () => {
      const sql = await PgliteSql.open();
      return { sql, inFlight: new MemoryInFlight(), close: () => sql.close() };
    }, sizes.overheadTasks);
    const overhead: Record<string, unknown> = { ms_per_task: embedded.ms_per_task, embedded };
    say(
      `  ${embedded.ms_per_task} ms per task embedded (median of ${embedded.runs.length}; min ${embedded.min}, median ${embedded.median}, max ${embedded.max})`,
    );
    if (io.env.DATABASE_URL || io.env.REDIS_URL) {
      const servers = await serverOverhead(io, sizes.overheadTasks);
      overhead.servers = servers;
      say(`  ${servers.ms_per_task} ms per task with servers (min ${servers.min}, max ${servers.max})`);
    }
    const transitions: Record<string, number> = {};
    const labels = ["at_10", "at_1000", "at_10000"];
    for (const [i, n] of sizes.transitions.entries())
      transitions[labels[i]!] = (await pipeline(n)).transitions;
    const scaling: Record<string, number> = {};
    for (const n of base.scaling) scaling[String(n)] = (await pipeline(n)).files_per_s;
    if (largeRun) Object.assign(scaling, largeRun.scaling.files_per_s);
    const aws = costOf(main);

    const result = {
      machine: machine(),
      quick: Boolean(values.quick),
      sizes,
      files_10k: filesFigures(main),
      floor,
      sha256,
      overhead,
      transitions,
      aws_cost: aws,
      scaling: { files_per_s: scaling },
      ...(largeRun ? { large: largeRun.large } : {}),
    };
    printTable(say, result);
    if (values.json) writeLine(io.stdout, JSON.stringify(result));
    return 0;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

function machine() {
  return { cpus: cpus().length, cpu: cpus()[0]?.model ?? "unknown", node: process.version };
}

/** The figures of one pipeline run that the bench reports: time, CPU and memory of the process tree. */
function filesFigures(run: PipelineResult) {
  return {
    files: run.files,
    wall_s: run.wall_s,
    files_per_s: run.files_per_s,
    peak_rss_mb: run.peak_rss_mb,
    peak_rss_self_mb: run.peak_rss_self_mb,
    cpu_s: run.cpu_s,
    cpu_children_s: run.cpu_children_s,
  };
}

async function serverOverhead(io: CliIo, tasks: number) {
  const { PgSql } = await import("../adapters/sql/pg.ts");
  const { RedisInFlight } = await import("../adapters/redis/in-flight.ts");
  const schema = `bench_${Date.now().toString(36)}`;
  const url = io.env.DATABASE_URL;
  return benchOverheadRepeated(async () => {
    const sql = url ? await PgSql.open(url, { schema }) : await PgliteSql.open();
    const inFlight = io.env.REDIS_URL
      ? new RedisInFlight({ url: io.env.REDIS_URL, keyPrefix: `${schema}:` })
      : new MemoryInFlight();
    const close = async () => {
      await inFlight.close();
      await sql.close();
      if (url) await PgSql.dropSchema(url, schema);
    };
    return { sql, inFlight, close };
  }, tasks);
}

function printTable(say: (line: string) => void, r: Record<string, unknown>): void {
  const rows: Array<[string, string]> = [];
  const walk = (prefix: string, value: unknown) => {
    const ofObjects = Array.isArray(value) && value.some((v) => v && typeof v === "object");
    if (value && typeof value === "object" && (!Array.isArray(value) || ofObjects)) {
      for (const [k, v] of Object.entries(value)) walk(prefix ? `${prefix}.${k}` : k, v);
    } else rows.push([prefix, Array.isArray(value) ? value.join(", ") : String(value)]);
  };
  walk("", r);
  const width = Math.max(...rows.map(([k]) => k.length));
  say("");
  for (const [k, v] of rows) say(`${k.padEnd(width)}  ${v}`);
}
