import type { AgentRecord, EventOutcome, EventRecord, FileRecord } from "../core/model.ts";
import type { TaskContext } from "../core/task-module.ts";

/** A PREMIS event with an id derived from its unit, file and type (a retried task writes the same event). */
export function fileEvent(
  ctx: Pick<TaskContext, "ids" | "clock" | "task" | "agents" | "unit">,
  file: Pick<FileRecord, "id"> | null,
  type: string,
  fields: {
    detail: string;
    outcome: EventOutcome;
    outcomeDetail: string;
    key?: string;
    agents?: AgentRecord[];
  },
): EventRecord {
  return {
    id: ctx.ids.uuid(`event:${file?.id ?? "unit"}:${type}:${fields.key ?? ""}`),
    unitId: ctx.unit.id,
    fileId: file?.id ?? null,
    taskId: ctx.task.id,
    type,
    dateTime: ctx.clock.now(),
    detail: fields.detail,
    outcome: fields.outcome,
    outcomeDetail: fields.outcomeDetail,
    agents: (fields.agents ?? ctx.agents).map((a) => a.id),
  };
}
