import { runChaos } from "./chaos.ts";

// `npm run chaos [-- files kills seed]`: the full chaos run, with a table of what happened.
const [files = "400", kills = "8", seed = String(Date.now() % 100000)] = process.argv.slice(2);
const report = await runChaos({
  files: Number(files),
  kills: Number(kills),
  seed: Number(seed),
  log: console.log,
});
console.table(report.kills);
const killed = report.kills.filter((k) => k.outcome.endsWith("killed")).length;
console.log(
  JSON.stringify({ ...report, kills: killed, differences: report.differences.slice(0, 20) }, null, 2),
);
process.exit(report.identical && report.duplicateJobs === 0 && report.unfinishedTasks === 0 ? 0 : 1);
