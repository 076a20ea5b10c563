import { randomUUID } from "node:crypto";
import type { ProcessingConfig } from "../../workflows/processing-config.ts";
import type { WorkflowEngine } from "../ports/workflow-engine.ts";
import { newUnitRecord, type UnitOptions } from "./model.ts";
import type { TaskStore } from "./store/task-store.ts";

export interface TransferRequest {
  /** The transfer's UUID; the execution is named after it, so a repeated request starts nothing new. */
  id?: string;
  name: string;
  /** file:///path or s3://bucket/key of what was deposited. */
  source: string;
  config: ProcessingConfig;
  options?: UnitOptions;
}

/**
 * Records a transfer and starts its workflow. Idempotent: the same id gives the same unit and the
 * same execution (the engine reports alreadyStarted), as after a duplicate S3 event.
 */
export async function startTransfer(
  deps: { store: TaskStore; engine: WorkflowEngine },
  request: TransferRequest,
) {
  const id = request.id ?? randomUUID();
  const unit = newUnitRecord({
    id,
    type: "transfer",
    name: request.name,
    source: request.source,
    workingPath: `transfers/incoming-${id}`,
    config: request.config,
    options: request.options ?? {},
    heartbeatAt: new Date(),
  });
  const { unit: stored, created } = await deps.store.createUnit(unit);
  const started = await deps.engine.startExecution("transfer", id, { unit: id, config: stored.config });
  return { unit: stored, created, executionId: started.executionId, alreadyStarted: started.alreadyStarted };
}
