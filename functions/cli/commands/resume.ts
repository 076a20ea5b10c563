import { parseArgs } from "node:util";
import type { ProcessingConfig } from "../../../workflows/processing-config.ts";
import { sipIdOf } from "../../core/ids.ts";
import { followToEnd, progressPoll, summarize } from "../follow.ts";
import { CliError, type CliIo, usageError, writeLine } from "../io.ts";
import { ownerState } from "../owners.ts";
import { STALE_AFTER_MS } from "../runtime.ts";
import { checkTools, openFollowedRuntime, report } from "./run.ts";

/**
 * Continues a run whose process died: executions re-enter the state they were in (same job rows),
 * tasks that were running are queued again, finished work is not redone.
 */
export async function resumeCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: "boolean" }, out: { type: "string" }, verbose: { type: "boolean" } },
  });
  if (positionals.length !== 1) throw usageError("resume takes exactly one ID");
  const id = positionals[0]!.toLowerCase();
  const { json, progress, rt } = await openFollowedRuntime(io, values);
  try {
    const transfer = await rt.store.getUnit(id);
    if (transfer?.type !== "transfer") throw new CliError(`no transfer with id ${id}`);
    const units = [transfer, await rt.store.getUnit(sipIdOf(id))].filter((u) => u !== null);
    const owners = await Promise.all(units.map((u) => ownerState(rt.workRoot, u.id)));
    if (owners.includes("alive"))
      throw new CliError(`transfer ${id} is being processed by another process on this machine`);
    const beat = Math.max(...units.map((u) => u.heartbeatAt?.getTime() ?? 0));
    const running = units.some((u) => u.status === "running");
    if (running && !owners.includes("dead") && Date.now() - beat < STALE_AFTER_MS) {
      const ago = Math.round((Date.now() - beat) / 1000);
      throw new CliError(`transfer ${id} is being processed by another process (alive ${ago} s ago)`);
    }
    // Resume no run that would fail for a missing tool (the unit holds its resolved configuration).
    await checkTools(transfer.config as ProcessingConfig);
    let resumed = 0;
    for (const unit of units) {
      await rt.store.requeueRunningTasks(unit.id);
      // Resuming is progress: the watchdog measures a unit's idle time from its last change.
      if (unit.status === "running") await rt.store.updateUnit(unit.id, {});
      for (const execution of await rt.executions.forUnit(unit.id)) {
        if (execution.status !== "RUNNING") continue;
        await rt.engine.resume(execution.id);
        resumed += 1;
      }
    }
    if (resumed === 0) {
      writeLine(io.stderr, `transfer ${id} has nothing to resume`);
      return report(await summarize(rt, id), io, json);
    }
    progress.poll = progressPoll(rt, id);
    progress.start();
    const summary = await followToEnd(rt, id);
    progress.stop();
    return report(summary, io, json);
  } finally {
    progress.stop();
    await rt.close();
  }
}
