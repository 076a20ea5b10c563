import { getStageConfig } from "../../infra/config/index.ts";
import { processingCost } from "../../infra/cost/processing.ts";
import { sizesFromConfig } from "../../infra/cost/sizes.ts";
import { workloadFromRun } from "../../infra/cost/workload.ts";
import type { PipelineResult } from "./pipeline.ts";

/**
 * The AWS cost of one measured run, priced by the same model and price table as `npm run cost`
 * (infra/cost/), at production's configured sizes. Storage is per GB-month (usd_per_gb_month_stored).
 */
export function costOf(run: PipelineResult) {
  const profile = workloadFromRun(run, new Date().toISOString().slice(0, 10));
  const cost = processingCost(profile, sizesFromConfig(getStageConfig("production")));
  return {
    priced_at: "production sizes, infra/cost/prices.ts",
    usd_per_1000_files: cost.usd_per_1000_files,
    usd_per_gb: cost.usd_per_gb,
    usd_per_transfer: cost.usd_per_transfer,
    usd_breakdown_per_1000_files: cost.usd_per_1000_files_by_item,
    counted: { ...run.calls, transitions: run.transitions, job_states: run.jobs },
  };
}
