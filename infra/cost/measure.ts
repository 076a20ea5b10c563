import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { runPipeline } from "../../functions/bench/pipeline.ts";
import { workloadFromRun } from "./workload.ts";

/**
 * `npx tsx infra/cost/measure.ts [files] [out.json]`: runs the benchmark's pipeline once (the
 * embedded runtime, calls counted through the ports) and writes the workload profile the per-file
 * cost model prices. The committed profile (infra/cost/workload-profile.json) came from this command.
 */
const files = Number(process.argv[2] ?? 10_000);
const out = process.argv[3] ?? path.join(import.meta.dirname, "workload-profile.json");
const scratch = await mkdtemp(path.join(tmpdir(), "stepmatica-measure-"));
try {
  await runPipeline(path.join(scratch, "home"), scratch, 10); // the embedded database's first start
  const run = await runPipeline(path.join(scratch, "home"), scratch, files);
  if (run.status !== "completed") throw new Error(`the run did not complete: ${run.status}`);
  const profile = workloadFromRun(run, new Date().toISOString().slice(0, 10));
  await writeFile(out, `${JSON.stringify(profile, null, 2)}\n`);
  console.log(JSON.stringify(profile));
} finally {
  await rm(scratch, { recursive: true, force: true });
}
