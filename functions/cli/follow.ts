import { LocalWorkflowEngine } from "../adapters/local/local-engine.ts";
import { sipIdOf } from "../core/ids.ts";
import type { UnitRecord } from "../core/model.ts";
import type { Runtime } from "./runtime.ts";

export interface RunSummary {
  id: string;
  status: "completed" | "failed" | "rejected";
  aip: string | null;
  reason: string | null;
  files: number;
}

/** Waits for a transfer's execution and then its ingest's, in this process. */
export async function followToEnd(rt: Runtime, transferId: string): Promise<RunSummary> {
  await rt.keepAlive(transferId);
  const transfer = await rt.engine.waitFor(LocalWorkflowEngine.executionId("transfer", transferId));
  if (transfer.status === "SUCCEEDED") {
    const sipId = sipIdOf(transferId);
    await rt.keepAlive(sipId, transferId);
    await rt.engine.waitFor(LocalWorkflowEngine.executionId("ingest", sipId));
  }
  const summary = await summarize(rt, transferId);
  rt.release(transferId);
  return summary;
}

/** The run's outcome from the store: the SIP's when there is one, else the transfer's. */
export async function summarize(rt: Pick<Runtime, "store">, transferId: string): Promise<RunSummary> {
  const transfer = await rt.store.getUnit(transferId);
  if (!transfer) throw new Error(`no transfer ${transferId}`);
  const sip = await rt.store.getUnit(sipIdOf(transferId));
  const last: UnitRecord = sip ?? transfer;
  const aip = sip ? await rt.store.getAip(sip.id) : null;
  // The depositor's files, extracted contents of packages included; normalization derivatives are not counted.
  let files = 0;
  for await (const page of rt.store.filePages(last.id, { withoutCharacteristics: true }))
    for (const f of page) if (f.group !== "preservation" && f.group !== "access") files++;
  const status = last.status === "completed" || last.status === "rejected" ? last.status : "failed";
  const reason =
    status === "completed"
      ? null
      : (last.reason ??
        transfer.reason ??
        `${last.type} ${last.id} is ${last.status}, not finished: continue it with "stepmatica resume ${transferId}"`);
  return {
    id: transferId,
    status: sip || status !== "completed" ? status : "failed",
    aip: aip?.location ?? null,
    reason,
    files,
  };
}

/** "files done / total" (or tasks) of the job a run is in, for the progress line. */
export function progressPoll(rt: Pick<Runtime, "store">, transferId: string): () => Promise<string> {
  return async () => {
    const p = await rt.store.runningJobProgress([transferId, sipIdOf(transferId)]);
    if (!p) return "";
    return p.files > 0 ? `${p.filesDone} / ${p.files} files` : `${p.tasksDone} / ${p.tasks} tasks`;
  };
}
