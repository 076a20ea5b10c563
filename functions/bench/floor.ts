import { readFileSync } from "node:fs";
import { mkdir, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { EXIFTOOL_READ_ARGS } from "../preservation/exiftool.ts";
import { virusDatabaseState } from "../tools/clamav-databases.ts";
import { requireTool } from "../tools/discover.ts";
import { runTool } from "../tools/run-tool.ts";
import { round, runPipeline } from "./pipeline.ts";
import { smallFiles } from "./workload.ts";

/** The floor's transfer: small text files in 20 folders (the shape of issue 16's measurement). */
export const FLOOR_FOLDERS = 20;

/** Paths per sha256sum invocation, so a large transfer stays under the kernel's argument limit. */
const SHA256SUM_BATCH = 10_000;

export interface FloorTool {
  tool: string;
  /** The argument array as run (file lists abbreviated to a count). */
  args: string[];
  invocations: number;
  wall_s: number;
  /** CPU seconds of the tool's processes (user + system, reaped children of this process). */
  cpu_s: number;
}

/** One round of the floor: stepmatica and the tools on the same files, one after the other. */
export interface FloorRound {
  ratio: number;
  tools_s: number;
  stepmatica_s: number;
  /** Which side ran first: the rounds alternate, so a machine slowing down wrongs neither side. */
  first: "stepmatica" | "tools";
}

/** One round's whole figures, before the median round is chosen among them. */
type MeasuredRound = Omit<FloorResult, "rounds" | "ratio_at_quickest_tools"> & Pick<FloorRound, "first">;

export interface FloorResult {
  /**
   * stepmatica_s / tools_s: what the pipeline costs against its tools run once each, in the round
   * with the median ratio (the higher middle one for an even count).
   */
  ratio: number;
  /**
   * The ratio of the round whose tools ran quickest. The tools' side drifts more than stepmatica's
   * (9.8 to 17.4 s over six rounds on one machine, file churn slowing cp among it), and a round
   * where they ran slow lowers the ratio: this is the figure with that drift least in it
   * (BENCHMARKS.md, "A sixth machine").
   */
  ratio_at_quickest_tools: number;
  /** Every round's figures in the order they ran (the machine's speed drifts between rounds). */
  rounds: FloorRound[];
  tools_s: number;
  stepmatica_s: number;
  files: number;
  folders: number;
  tools: FloorTool[];
  /**
   * The same comparison in CPU seconds (stepmatica's whole process tree against the tools'
   * processes): what a shared machine's load does not distort, unlike the walls above. Below 1 when
   * the pipeline does less work than the tools run whole; the pipeline also runs identification,
   * validation, METS, bagging and storing with a fixity check, which the tools do not.
   */
  cpu_ratio: number;
  tools_cpu_s: number;
  stepmatica_cpu_s: number;
}

/**
 * The pipeline against its floor, in one bench run: the same `files` files go once through
 * stepmatica (automated configuration, AIP uncompressed, as runPipeline does) and once through
 * the tools it runs on them, each started once from here with an argument array — sha256sum over
 * every file, clamscan with the databases the pipeline's scan loads, ExifTool -r with the arguments
 * characterization gives it (the perl script of exiftool-vendored.pl; issue 16 named `-json -r`,
 * which also reads the File System group and every file to its end, work the pipeline does not ask
 * for: 8.5 against 6.8 s on 10,000 files), cp -r. tools_s is the sum of the tools' walls.
 *
 * `rounds` times, each round a new transfer and the tools beside it: the machines this runs on
 * drift in speed by a third over minutes (ExifTool alone took 7.2 to 10.9 s on the same files, and
 * both sides slowed down together over a bench: tools 8.8 -> 11.7 s, stepmatica 14.6 -> 16.6 s in
 * three rounds), so one round can flatter or wrong either side. The rounds alternate which side runs
 * first (stepmatica in the first), so a drift does not always land on the side that runs second;
 * the median round is reported, and every round listed.
 */
export async function benchFloor(
  home: string,
  scratch: string,
  files: number,
  rounds = 1,
): Promise<FloorResult> {
  const results: MeasuredRound[] = [];
  for (let round = 0; round < rounds; round++)
    results.push(await floorRound(home, scratch, files, round % 2 === 0 ? "stepmatica" : "tools"));
  const median = [...results].sort((a, b) => a.ratio - b.ratio)[Math.floor(results.length / 2)]!;
  const { first: _first, ...figures } = median;
  return {
    ...figures,
    ratio_at_quickest_tools: ratioAtQuickestTools(results),
    rounds: results.map(({ ratio, tools_s, stepmatica_s, first }) => ({
      ratio,
      tools_s,
      stepmatica_s,
      first,
    })),
  };
}

/** The ratio of the round whose tools took the least time (the first such round on a tie). */
export function ratioAtQuickestTools(rounds: ReadonlyArray<Pick<FloorRound, "ratio" | "tools_s">>): number {
  return rounds.reduce((best, r) => (r.tools_s < best.tools_s ? r : best)).ratio;
}

async function floorRound(
  home: string,
  scratch: string,
  files: number,
  first: FloorRound["first"],
): Promise<MeasuredRound> {
  const runStepmatica = async () => {
    const pipeline = await runPipeline(home, scratch, files, FLOOR_FOLDERS);
    if (pipeline.status !== "completed")
      throw new Error(`the floor's ${files}-file stepmatica run did not complete: ${pipeline.status}`);
    return pipeline;
  };
  const early = first === "stepmatica" ? await runStepmatica() : null;
  const tools = await runTools(scratch, files);
  const pipeline = early ?? (await runStepmatica());
  const toolsSeconds = tools.reduce((sum, t) => sum + t.wall_s, 0);
  const toolsCpu = tools.reduce((sum, t) => sum + t.cpu_s, 0);
  return {
    ratio: round(pipeline.wall_s / toolsSeconds),
    tools_s: round(toolsSeconds),
    stepmatica_s: pipeline.wall_s,
    first,
    files,
    folders: FLOOR_FOLDERS,
    tools,
    cpu_ratio: round(pipeline.cpu_s / toolsCpu),
    tools_cpu_s: round(toolsCpu),
    stepmatica_cpu_s: pipeline.cpu_s,
  };
}

/** The tools once each on the floor's files (generated here: the same bytes as the pipeline's). */
async function runTools(scratch: string, files: number): Promise<FloorTool[]> {
  const source = path.join(scratch, `floor-${files}`);
  const copy = path.join(scratch, `floor-${files}-copy`);
  await rm(source, { recursive: true, force: true });
  await mkdir(source, { recursive: true });
  await smallFiles(source, files, FLOOR_FOLDERS);
  try {
    const relative = await listFiles(source);
    const databases = await virusDatabaseState();
    const clamArgs = ["--database", databases.testDatabaseDir];
    if (databases.official.length > 0) clamArgs.push("--database", databases.officialDir);
    return [
      await timed("sha256sum", source, batches(relative, SHA256SUM_BATCH), `${relative.length} files`),
      await timed(await requireTool("clamscan"), source, [[...clamArgs, "-r", "--no-summary", "."]]),
      await timed(await requireTool("exiftool"), source, [[...EXIFTOOL_READ_ARGS, "-r", "."]]),
      await timed("cp", scratch, [["-r", source, copy]]),
    ];
  } finally {
    await rm(source, { recursive: true, force: true });
    await rm(copy, { recursive: true, force: true });
  }
}

/** Runs one tool (once per argument list) and fails loudly when it fails: a broken floor is no floor. */
async function timed(command: string, cwd: string, argLists: string[][], filesLabel?: string) {
  const started = performance.now();
  const cpuBefore = reapedChildrenCpuSeconds();
  for (const args of argLists) {
    const run = await runTool(command, args, { cwd, maxOutputBytes: 64 << 10 });
    if (run.exitCode !== 0)
      throw new Error(
        `floor: ${path.basename(command)} exited ${run.exitCode}: ${run.stderr.trim().split("\n").slice(-3).join(" ")}`,
      );
  }
  const wall = (performance.now() - started) / 1000;
  const cpu = reapedChildrenCpuSeconds() - cpuBefore;
  const shown = filesLabel ? [filesLabel] : (argLists[0] ?? []);
  return {
    tool: path.basename(command),
    args: shown,
    invocations: argLists.length,
    wall_s: round(wall, 3),
    cpu_s: round(cpu, 3),
  };
}

/**
 * CPU seconds of this process's children that ended and were reaped (/proc/self/stat cutime +
 * cstime): a tool started by runTool has been reaped when runTool returns. Live processes (the
 * home's database owner) are left out, so their idle ticks are not charged to a tool.
 */
function reapedChildrenCpuSeconds(): number {
  const text = readFileSync("/proc/self/stat", "utf8");
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[16 - 3]) + Number(fields[17 - 3])) / 100;
}

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)))
    .sort();
}

function batches<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
