import { parseArgs } from "node:util";
import type { JobRecord, UnitRecord } from "../../core/model.ts";
import type { TaskStore, TaskSummary } from "../../core/store/task-store.ts";
import { describeProcessingMcp } from "../../core/transfer-config.ts";
import { describeVirusChecks, virusCheckSummary } from "../../core/virus-checks.ts";
import { CliError, type CliIo, usageError, writeLine } from "../io.ts";
import { openCliRuntime } from "../runtime.ts";
import { displayStatus } from "./list.ts";

interface JobView {
  job: string;
  description: string;
  exitCode: number | null;
  status: string;
  durationMs: number | null;
  /** Its tasks' CPU seconds added up, and the largest of their peak memories (null: not recorded). */
  cpuS: number | null;
  peakRssMb: number | null;
  tasks: Array<{
    seq: number;
    module: string;
    arguments: string[];
    files: number;
    exitCode: number | null;
    durationMs: number | null;
    cpuS: number | null;
    peakRssMb: number | null;
    stdout: string;
    stderr: string;
  }>;
}

/** One unit as the status command shows it: microservices → jobs → tasks, in the order they ran. */
export async function unitTree(store: TaskStore, unit: UnitRecord) {
  const microservices: Array<{ microservice: string; jobs: JobView[] }> = [];
  for (const job of await store.listJobs(unit.id)) {
    const tasks = await store.listTaskSummaries(job.id);
    let group = microservices.at(-1);
    if (group?.microservice !== job.microservice) {
      group = { microservice: job.microservice, jobs: [] };
      microservices.push(group);
    }
    group.jobs.push(jobView(job, tasks));
  }
  return {
    id: unit.id,
    type: unit.type,
    name: unit.name,
    status: displayStatus(unit),
    reason: unit.reason,
    /** What the transfer's processingMCP.xml answered, and what it could not (null: it had none). */
    processingMcp: unit.options.processingMcp ?? null,
    virusChecks: await virusCheckSummary(store.sql, [unit.id]),
    microservices,
  };
}

function jobView(job: JobRecord, tasks: TaskSummary[]): JobView {
  return {
    job: job.name,
    description: job.description,
    exitCode: job.exitCode,
    status: job.status,
    durationMs: job.endedAt ? job.endedAt.getTime() - job.createdAt.getTime() : null,
    ...jobResources(tasks),
    tasks: tasks.map((t) => ({
      seq: t.seq,
      module: t.module,
      arguments: t.arguments,
      files: t.files,
      exitCode: t.exitCode,
      durationMs: t.startedAt && t.endedAt ? t.endedAt.getTime() - t.startedAt.getTime() : null,
      cpuS: t.cpuS,
      peakRssMb: t.peakRssMb,
      stdout: t.stdout,
      stderr: t.stderr,
    })),
  };
}

/** A job's cost from its tasks' records: CPU added up, the largest peak memory. */
function jobResources(tasks: TaskSummary[]): { cpuS: number | null; peakRssMb: number | null } {
  const recorded = tasks.filter((t) => t.cpuS !== null);
  if (recorded.length === 0) return { cpuS: null, peakRssMb: null };
  const cpuS = recorded.reduce((sum, t) => sum + (t.cpuS ?? 0), 0);
  const peakRssMb = recorded.reduce((max, t) => Math.max(max, t.peakRssMb ?? 0), 0);
  return { cpuS: Math.round(cpuS * 1000) / 1000, peakRssMb };
}

const cost = (r: { cpuS: number | null; peakRssMb: number | null }) =>
  r.cpuS === null ? "" : `  ${r.cpuS.toFixed(2)} s CPU, ${Math.round(r.peakRssMb ?? 0)} MB peak`;

const seconds = (ms: number | null) => (ms === null ? "-" : `${(ms / 1000).toFixed(2)} s`);

export async function statusCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: "boolean" }, verbose: { type: "boolean" } },
  });
  if (positionals.length !== 1) throw usageError("status takes exactly one ID");
  const rt = await openCliRuntime(io, { workers: false });
  try {
    const unit = await rt.store.getUnit(positionals[0]!.toLowerCase());
    if (!unit) throw new CliError(`no unit with id ${positionals[0]}`);
    const units = [unit, ...(await rt.store.listChildren(unit.id))];
    const trees = [];
    for (const u of units) trees.push(await unitTree(rt.store, u));
    if (values.json) {
      writeLine(io.stdout, JSON.stringify({ units: trees }));
      return 0;
    }
    for (const tree of trees) {
      writeLine(
        io.stdout,
        `${tree.type === "transfer" ? "Transfer" : "SIP"} ${tree.name} ${tree.id}: ${tree.status}`,
      );
      if (tree.reason) writeLine(io.stdout, `  reason: ${tree.reason}`);
      if (tree.processingMcp)
        for (const line of describeProcessingMcp(tree.processingMcp)) writeLine(io.stdout, `  ${line}`);
      const virusChecks = describeVirusChecks(tree.virusChecks);
      if (virusChecks) writeLine(io.stdout, `  ${virusChecks}`);
      for (const ms of tree.microservices) {
        writeLine(io.stdout, `  ${ms.microservice}`);
        for (const job of ms.jobs) {
          const failed = job.tasks.filter((t) => (t.exitCode ?? 0) !== 0).length;
          writeLine(
            io.stdout,
            `    ${job.description}  exit ${job.exitCode ?? "-"}  ${seconds(job.durationMs)}  ${job.tasks.length} task(s)${failed ? `, ${failed} failed` : ""}${cost(job)}`,
          );
          for (const t of job.tasks.filter((x) => (x.exitCode ?? 0) !== 0 || job.tasks.length <= 3)) {
            const files = t.files ? ` ${t.files} file(s)` : "";
            writeLine(
              io.stdout,
              `      task ${t.seq} ${t.module}${files}  exit ${t.exitCode ?? "-"}  ${seconds(t.durationMs)}${cost(t)}`,
            );
            if ((t.exitCode ?? 0) !== 0 && t.stderr)
              writeLine(io.stdout, `        ${t.stderr.split("\n").slice(0, 5).join("\n        ")}`);
          }
        }
      }
    }
    return 0;
  } finally {
    await rt.close();
  }
}
