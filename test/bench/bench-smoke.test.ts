import { expect, it } from "vitest";
import { EXIFTOOL_READ_ARGS } from "../../functions/preservation/exiftool.ts";
import { stepmatica } from "../helpers/cli.ts";

const isNumber = (v: unknown) => typeof v === "number" && Number.isFinite(v);
const at = (o: unknown, path: string): unknown =>
  path
    .split(".")
    .reduce<unknown>(
      (v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined),
      o,
    );

// The CI smoke version of `npm run bench`: small workloads, and the JSON shape (not the timings).
it("bench --quick --json prints one JSON object with every figure as a number", async () => {
  const result = await stepmatica(["bench", "--quick", "--json"], { ...process.env });
  expect(result.code, result.stderr).toBe(0);
  const json = result.json!;
  for (const key of [
    "files_10k.wall_s",
    "files_10k.files_per_s",
    "files_10k.peak_rss_mb",
    "files_10k.cpu_s",
    "files_10k.cpu_children_s",
    "files_10k.peak_rss_self_mb",
    "floor.ratio",
    "floor.ratio_at_quickest_tools",
    "floor.tools_s",
    "floor.stepmatica_s",
    "floor.cpu_ratio",
    "floor.tools_cpu_s",
    "floor.stepmatica_cpu_s",
    "overhead.embedded.min",
    "overhead.embedded.median",
    "overhead.embedded.max",
    "sha256.ratio",
    "overhead.ms_per_task",
    "transitions.at_10",
    "transitions.at_1000",
    "transitions.at_10000",
    "aws_cost.usd_per_1000_files",
    "aws_cost.usd_per_gb",
  ]) {
    expect(isNumber(at(json, key)), key).toBe(true);
  }
  const scaling = at(json, "scaling.files_per_s") as Record<string, unknown>;
  expect(Object.keys(scaling).length).toBeGreaterThanOrEqual(2);
  for (const value of Object.values(scaling)) expect(isNumber(value)).toBe(true);
  // The floor ran the tools, each for a measurable time, on the same number of files.
  const floor = json.floor as { ratio: number; tools_s: number; files: number; tools: unknown[] };
  expect(floor.ratio).toBeGreaterThan(0);
  expect(floor.files).toBe(at(json, "files_10k.files"));
  const tools = floor.tools as Array<{ tool: string; wall_s: number; invocations: number; cpu_s: number }>;
  expect(tools.map((t) => t.tool)).toEqual(["sha256sum", "clamscan", "exiftool", "cp"]);
  // ExifTool does in the floor what characterization asks of it, no more.
  expect((tools[2] as unknown as { args: string[] }).args).toEqual([...EXIFTOOL_READ_ARGS, "-r", "."]);
  for (const t of tools) {
    expect(t.wall_s, t.tool).toBeGreaterThan(0);
    expect(t.invocations, t.tool).toBeGreaterThanOrEqual(1);
    expect(isNumber(t.cpu_s), t.tool).toBe(true);
  }
  // Two rounds in --quick: the reported one is the higher middle (the conservative median of two).
  const rounds = (
    json.floor as { rounds: Array<{ ratio: number; tools_s: number; stepmatica_s: number; first: string }> }
  ).rounds;
  expect(rounds).toHaveLength(2);
  // The rounds alternate which side runs first, so a machine slowing down wrongs neither side.
  expect(rounds.map((r) => r.first)).toEqual(["stepmatica", "tools"]);
  expect(floor.ratio).toBe(Math.max(...rounds.map((r) => r.ratio)));
  expect(rounds.map((r) => r.ratio)).toContain(floor.ratio);
  // Beside the median, the round with the least drift on the tools' side.
  const quickest = [...rounds].sort((a, b) => a.tools_s - b.tools_s)[0]!;
  expect(at(json, "floor.ratio_at_quickest_tools")).toBe(quickest.ratio);
  expect(floor.tools_s).toBeCloseTo(
    tools.reduce((sum, t) => sum + t.wall_s, 0),
    1,
  );
  // The tools (ClamAV, ExifTool) ran as children: their CPU counts, and the tree holds more than Node.
  expect(at(json, "files_10k.cpu_children_s") as number).toBeGreaterThan(0);
  expect(at(json, "files_10k.cpu_s") as number).toBeGreaterThan(
    at(json, "files_10k.cpu_children_s") as number,
  );
  expect(at(json, "files_10k.peak_rss_mb") as number).toBeGreaterThan(
    at(json, "files_10k.peak_rss_self_mb") as number,
  );
  // Overhead: the median of five runs, between their min and max.
  const overhead = at(json, "overhead.embedded") as {
    runs: number[];
    min: number;
    median: number;
    max: number;
  };
  expect(overhead.runs).toHaveLength(5);
  expect(overhead.min).toBeLessThanOrEqual(overhead.median);
  expect(overhead.median).toBeLessThanOrEqual(overhead.max);
  expect(at(json, "overhead.ms_per_task")).toBe(overhead.median);
  expect(result.stderr).toMatch(/min [\d.]+, median [\d.]+, max [\d.]+/);
  // --large is not the default: the default bench's scaling stops below 200,000 files.
  expect(Object.keys(scaling)).not.toContain("200000");
  expect(json.large).toBeUndefined();
  // Transitions do not grow with files (the same at every size measured).
  expect(new Set([at(json, "transitions.at_10"), at(json, "transitions.at_10000")]).size).toBe(1);
  expect(json.quick).toBe(true);
  // The table is printed too (on stderr with --json, so stdout's last line stays the JSON).
  expect(result.stderr).toContain("overhead.ms_per_task");
}, 600_000);
