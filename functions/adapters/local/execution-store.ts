import { toDate, toDateOrNull, toJson } from "../../core/store/rows.ts";
import type { SqlClient } from "../../ports/sql.ts";

export type ExecutionStatus = "RUNNING" | "SUCCEEDED" | "FAILED";

export interface ExecutionRecord {
  id: string;
  workflow: string;
  name: string;
  unitId: string | null;
  status: ExecutionStatus;
  /** The state being run (for resume) and the input it was entered with. */
  state: string | null;
  stateInput: unknown;
  enteredAt: string | null;
  transitions: number;
  error: string | null;
  cause: string | null;
  startedAt: Date;
  updatedAt: Date;
  endedAt: Date | null;
}

/** Where the local engine keeps each execution's position, so an interrupted run can resume. */
export class ExecutionStore {
  constructor(private readonly sql: SqlClient) {}

  async insert(
    e: Pick<ExecutionRecord, "id" | "workflow" | "name" | "unitId" | "state" | "stateInput" | "enteredAt">,
  ) {
    const r = await this.sql.query(
      `insert into executions (id, workflow, name, unit_id, status, state, state_input, entered_at, transitions)
       values ($1,$2,$3,$4,'RUNNING',$5,$6,$7,1) on conflict (id) do nothing returning id`,
      [e.id, e.workflow, e.name, e.unitId, e.state, e.stateInput as Record<string, unknown>, e.enteredAt],
    );
    return r.rowCount > 0;
  }

  async enter(id: string, state: string, input: unknown, enteredAt: string): Promise<void> {
    await this.sql.query(
      `update executions set state = $2, state_input = $3, entered_at = $4, transitions = transitions + 1,
         updated_at = now() where id = $1`,
      [id, state, input as Record<string, unknown>, enteredAt],
    );
  }

  async finish(
    id: string,
    status: ExecutionStatus,
    error: string | null,
    cause: string | null,
  ): Promise<void> {
    await this.sql.query(
      "update executions set status = $2, error = $3, cause = $4, ended_at = now(), updated_at = now() where id = $1",
      [id, status, error, cause],
    );
  }

  async get(id: string): Promise<ExecutionRecord | null> {
    const r = await this.sql.query("select * from executions where id = $1", [id]);
    return r.rows[0] ? fromRow(r.rows[0]) : null;
  }

  async forUnit(unitId: string): Promise<ExecutionRecord[]> {
    const r = await this.sql.query("select * from executions where unit_id = $1 order by started_at", [
      unitId,
    ]);
    return r.rows.map(fromRow);
  }
}

function fromRow(r: Record<string, unknown>): ExecutionRecord {
  return {
    id: String(r.id),
    workflow: String(r.workflow),
    name: String(r.name),
    unitId: r.unit_id ? String(r.unit_id) : null,
    status: r.status as ExecutionStatus,
    state: r.state ? String(r.state) : null,
    stateInput: toJson(r.state_input),
    enteredAt: r.entered_at ? String(r.entered_at) : null,
    transitions: Number(r.transitions),
    error: r.error ? String(r.error) : null,
    cause: r.cause ? String(r.cause) : null,
    startedAt: toDate(r.started_at),
    updatedAt: toDate(r.updated_at),
    endedAt: toDateOrNull(r.ended_at),
  };
}
