import { mkdir, readdir, rm } from "node:fs/promises";
import path from "node:path";
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
}

export interface FloorResult {
  /** stepmatica_s / tools_s: what the pipeline costs against its tools run once each. */
  ratio: number;
  tools_s: number;
  stepmatica_s: number;
  files: number;
  folders: number;
  tools: FloorTool[];
}

/**
 * The pipeline against its floor, in one bench run: the same `files` files go once through
 * stepmatica (automated configuration, AIP uncompressed, as runPipeline does) and once through
 * the tools it runs on them, each started once from here with an argument array — sha256sum over
 * every file, clamscan with the databases the pipeline's scan loads, ExifTool -json -r (the perl
 * script of exiftool-vendored.pl), cp -r. tools_s is the sum of the tools' walls.
 */
export async function benchFloor(home: string, scratch: string, files: number): Promise<FloorResult> {
  const pipeline = await runPipeline(home, scratch, files, FLOOR_FOLDERS);
  if (pipeline.status !== "completed")
    throw new Error(`the floor's ${files}-file stepmatica run did not complete: ${pipeline.status}`);
  // runPipeline removed its copy; the generator is deterministic, so these are the same bytes.
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
    const tools = [
      await timed("sha256sum", source, batches(relative, SHA256SUM_BATCH), `${relative.length} files`),
      await timed(await requireTool("clamscan"), source, [[...clamArgs, "-r", "--no-summary", "."]]),
      await timed(await requireTool("exiftool"), source, [["-json", "-r", "."]]),
      await timed("cp", scratch, [["-r", source, copy]]),
    ];
    const toolsSeconds = tools.reduce((sum, t) => sum + t.wall_s, 0);
    return {
      ratio: round(pipeline.wall_s / toolsSeconds),
      tools_s: round(toolsSeconds),
      stepmatica_s: pipeline.wall_s,
      files,
      folders: FLOOR_FOLDERS,
      tools,
    };
  } finally {
    await rm(source, { recursive: true, force: true });
    await rm(copy, { recursive: true, force: true });
  }
}

/** Runs one tool (once per argument list) and fails loudly when it fails: a broken floor is no floor. */
async function timed(command: string, cwd: string, argLists: string[][], filesLabel?: string) {
  const started = performance.now();
  for (const args of argLists) {
    const run = await runTool(command, args, { cwd, maxOutputBytes: 64 << 10 });
    if (run.exitCode !== 0)
      throw new Error(
        `floor: ${path.basename(command)} exited ${run.exitCode}: ${run.stderr.trim().split("\n").slice(-3).join(" ")}`,
      );
  }
  const wall = (performance.now() - started) / 1000;
  const shown = filesLabel ? [filesLabel] : (argLists[0] ?? []);
  return { tool: path.basename(command), args: shown, invocations: argLists.length, wall_s: round(wall, 3) };
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
