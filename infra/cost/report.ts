import { readFileSync } from "node:fs";
import path from "node:path";
import type { StageName } from "../config/index.ts";
import { type IdleLine, idleCost, round } from "./idle.ts";
import { PRICE_DATE, PRICE_REGION } from "./prices.ts";
import { processingCost } from "./processing.ts";
import { sizesFromTemplate } from "./sizes.ts";
import { type CfnTemplate, synthesizeStage } from "./template.ts";
import type { WorkloadProfile } from "./workload.ts";

export const DEFAULT_PROFILE = path.join(import.meta.dirname, "workload-profile.json");

export interface CostReport {
  env: StageName;
  idle_monthly_usd: number;
  usd_per_1000_files: number;
  usd_per_gb: number;
  resources: IdleLine[];
  usd_per_transfer: number;
  usd_per_gb_month_stored: number;
  usd_per_1000_files_by_item: Record<string, number>;
  prices: { date: string; region: string; kind: string };
  workload: string;
}

export function loadProfile(file = DEFAULT_PROFILE): WorkloadProfile {
  return JSON.parse(readFileSync(file, "utf8")) as WorkloadProfile;
}

/** The cost of one stage: idle by resource, and per file / per GB processed, from its template. */
export function costReport(
  env: StageName,
  profile: WorkloadProfile = loadProfile(),
  template: CfnTemplate = synthesizeStage(env),
): CostReport {
  const resources = idleCost(template.Resources);
  const processing = processingCost(profile, sizesFromTemplate(template.Resources));
  return {
    env,
    idle_monthly_usd: round(resources.reduce((sum, r) => sum + r.monthly_usd, 0)),
    usd_per_1000_files: processing.usd_per_1000_files,
    usd_per_gb: processing.usd_per_gb,
    resources,
    usd_per_transfer: processing.usd_per_transfer,
    usd_per_gb_month_stored: processing.usd_per_gb_month_stored,
    usd_per_1000_files_by_item: processing.usd_per_1000_files_by_item,
    prices: { date: PRICE_DATE, region: PRICE_REGION, kind: "on-demand list prices, no free tier" },
    workload: profile.source,
  };
}

/** The human-readable table `npm run cost` prints. */
export function formatReport(r: CostReport): string[] {
  const lines = [
    `stepmatica ${r.env}: ${r.prices.region} ${r.prices.kind}, as known on ${r.prices.date}`,
    "",
    "idle, per month",
  ];
  const width = Math.max(...r.resources.map((x) => x.id.length));
  for (const x of r.resources.filter((x) => x.monthly_usd > 0)) {
    lines.push(`  ${x.id.padEnd(width)}  ${usd(x.monthly_usd).padStart(9)}  ${x.basis}`);
  }
  const zero = r.resources.filter((x) => x.monthly_usd === 0).length;
  lines.push(`  (${zero} more priced resources at $0.00 while idle)`);
  lines.push(`  ${"total".padEnd(width)}  ${usd(r.idle_monthly_usd).padStart(9)}`);
  lines.push("", `processing (workload: ${r.workload})`);
  for (const [item, value] of Object.entries(r.usd_per_1000_files_by_item)) {
    lines.push(`  ${item.padEnd(18)} $${value.toFixed(6)} per 1,000 files`);
  }
  lines.push(
    `  per 1,000 files    $${r.usd_per_1000_files.toFixed(5)}`,
    `  per GB processed   $${r.usd_per_gb.toFixed(4)}`,
    `  per transfer       $${r.usd_per_transfer.toFixed(4)} (a worker host started from zero, Aurora's pause delay)`,
    `  stored AIPs        $${r.usd_per_gb_month_stored} per GB-month`,
  );
  return lines;
}

const usd = (n: number) => `$${n.toFixed(2)}`;
