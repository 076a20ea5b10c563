import { expect, it } from "vitest";
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
  // Transitions do not grow with files (the same at every size measured).
  expect(new Set([at(json, "transitions.at_10"), at(json, "transitions.at_10000")]).size).toBe(1);
  expect(json.quick).toBe(true);
  // The table is printed too (on stderr with --json, so stdout's last line stays the JSON).
  expect(result.stderr).toContain("overhead.ms_per_task");
}, 300_000);
