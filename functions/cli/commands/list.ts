import { parseArgs } from "node:util";
import type { UnitRecord } from "../../core/model.ts";
import { type CliIo, usageError, writeLine } from "../io.ts";
import { openCliRuntime, STALE_AFTER_MS } from "../runtime.ts";

/** A running unit whose process stopped beating is shown as interrupted (resume continues it). */
export function displayStatus(unit: Pick<UnitRecord, "status" | "heartbeatAt">, now = Date.now()): string {
  if (unit.status !== "running") return unit.status;
  const beat = unit.heartbeatAt?.getTime() ?? 0;
  return now - beat > STALE_AFTER_MS ? "interrupted" : "running";
}

export async function listCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: "boolean" }, verbose: { type: "boolean" } },
  });
  if (positionals.length > 0) throw usageError("list takes no arguments");
  const rt = await openCliRuntime(io, { workers: false });
  try {
    // Listing is where an operator looks: units stalled past their job's timeout show as failed, with the reason.
    await rt.watchdog();
    const { units, total } = await rt.store.listUnits({ limit: 500 });
    const rows = units.map((u) => ({
      id: u.id,
      type: u.type,
      name: u.name,
      status: displayStatus(u),
      createdAt: u.createdAt.toISOString(),
      reason: u.reason,
    }));
    if (values.json) {
      writeLine(io.stdout, JSON.stringify({ units: rows, total }));
      return 0;
    }
    for (const r of rows)
      writeLine(io.stdout, `${r.id}  ${r.type.padEnd(8)}  ${r.status.padEnd(11)}  ${r.createdAt}  ${r.name}`);
    if (rows.length === 0) writeLine(io.stdout, "no units yet");
    return 0;
  } finally {
    await rt.close();
  }
}
