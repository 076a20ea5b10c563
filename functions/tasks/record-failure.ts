import type { UnitStatus } from "../core/model.ts";
import type { TaskModule } from "../core/task-module.ts";

/**
 * The failure path: turns the state machine's error into a reason a person can act on (the job,
 * the files and the tool's words) and routes the unit to "failed" or "rejected" with it.
 */
export const recordFailure: TaskModule = {
  name: "record-failure",
  command: "record-failure ERROR CAUSE",
  async run(ctx) {
    const [error = "Unknown", cause = ""] = ctx.task.arguments;
    const jobs = await ctx.store.listJobs(ctx.unit.id);
    const status: UnitStatus = error === "Rejected" ? "rejected" : "failed";
    let reason: string;
    if (error === "JobFailed" || error === "Rejected") {
      const job = [...jobs].reverse().find((j) => j.name === cause);
      const failedTasks = job
        ? (await ctx.store.listTasks(job.id)).filter((t) => (t.exitCode ?? 0) !== 0)
        : [];
      const detail = failedTasks
        .flatMap((t) => t.stderr.split("\n"))
        .filter((line) => line.trim() !== "")
        .slice(0, 5)
        .join("; ");
      const step = job ? `${job.microservice} / ${job.description}` : cause;
      reason = `${step}: ${detail || `exit code ${job?.exitCode ?? "unknown"}`}`;
    } else if (error === "States.Timeout" || error === "States.HeartbeatTimeout") {
      // The job that timed out is the last one before this failure recorder (which is running too).
      const timedOut = [...jobs].reverse().find((j) => j.id !== ctx.job.id && j.name !== ctx.job.name);
      reason = `${timedOut ? `${timedOut.microservice} / ${timedOut.description}` : "a job"}: ${cause || error}`;
    } else {
      reason = `${error}${cause ? `: ${cause}` : ""}`;
    }
    ctx.stderr(reason);
    return { exitCode: 0, unitUpdate: { status, reason } };
  },
};
