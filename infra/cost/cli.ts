import { parseArgs } from "node:util";
import { STAGE_NAMES, type StageName } from "../config/index.ts";
import { costReport, formatReport, loadProfile } from "./report.ts";

/**
 * `npm run cost -- --env staging|production [--json] [--profile FILE]`: the idle monthly cost by
 * resource and the cost per 1,000 files and per GB, from the stage's synthesized template.
 * --profile: a workload profile from `npx tsx infra/cost/measure.ts` (default: the committed one).
 */
function main(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: { env: { type: "string" }, json: { type: "boolean" }, profile: { type: "string" } },
  });
  if (!values.env || !(STAGE_NAMES as readonly string[]).includes(values.env)) {
    process.stderr.write(`usage: npm run cost -- --env ${STAGE_NAMES.join("|")} [--json] [--profile FILE]\n`);
    return 2;
  }
  const report = costReport(values.env as StageName, loadProfile(values.profile));
  for (const line of formatReport(report)) process.stdout.write(`${line}\n`);
  if (values.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  return 0;
}

process.exitCode = main(process.argv.slice(2));
