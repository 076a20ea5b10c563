import type { SqlClient, SqlValue } from "../../ports/sql.ts";
import { toDate, toDateOrNull, toJson } from "./rows.ts";

/**
 * Decision points waiting for an operator (Archivematica's "awaiting decision"), one row per unit
 * and processing-configuration key. A workflow state that asks writes the row with its task token;
 * answering records the answer once (a second answer is refused) and returns the token so the
 * caller can resume the workflow.
 */

export type DecisionValue = string | number | boolean;

export interface DecisionChoice {
  value: DecisionValue;
  label: string;
}

export interface DecisionRecord {
  id: string;
  unitId: string;
  /** The processing-configuration key it answers, e.g. "normalize". */
  key: string;
  description: string;
  choices: DecisionChoice[];
  answer: DecisionValue | null;
  taskToken: string | null;
  createdAt: Date;
  answeredAt: Date | null;
  answeredBy: string | null;
}

export interface NewDecision {
  id: string;
  unitId: string;
  key: string;
  description: string;
  choices: DecisionChoice[];
  taskToken?: string | null;
}

type Row = Record<string, unknown>;

function decisionFromRow(r: Row): DecisionRecord {
  return {
    id: String(r.id),
    unitId: String(r.unit_id),
    key: String(r.key),
    description: String(r.description),
    choices: toJson<DecisionChoice[]>(r.choices),
    // Stored as {"value": …}: drivers hand a jsonb scalar string back parsed or not, an object either way.
    answer:
      r.answer === null || r.answer === undefined ? null : toJson<{ value: DecisionValue }>(r.answer).value,
    taskToken: r.task_token === null || r.task_token === undefined ? null : String(r.task_token),
    createdAt: toDate(r.created_at),
    answeredAt: toDateOrNull(r.answered_at),
    answeredBy: r.answered_by === null || r.answered_by === undefined ? null : String(r.answered_by),
  };
}

export class DecisionAnswerError extends Error {
  constructor(
    readonly status: 404 | 409 | 422,
    message: string,
  ) {
    super(message);
  }
}

export class DecisionStore {
  constructor(private readonly sql: SqlClient) {}

  /** Records a decision point once per (unit, key); asking again only refreshes the task token. */
  async ask(decision: NewDecision): Promise<DecisionRecord> {
    const r = await this.sql.query<Row>(
      `insert into decisions (id, unit_id, key, description, choices, task_token) values ($1,$2,$3,$4,$5::jsonb,$6)
       on conflict (unit_id, key) do update set task_token = coalesce(excluded.task_token, decisions.task_token)
       returning *`,
      [
        decision.id,
        decision.unitId,
        decision.key,
        decision.description,
        decision.choices as unknown as SqlValue,
        decision.taskToken ?? null,
      ],
    );
    return decisionFromRow(r.rows[0]!);
  }

  async get(id: string): Promise<DecisionRecord | null> {
    const r = await this.sql.query<Row>("select * from decisions where id = $1", [id]);
    return r.rows[0] ? decisionFromRow(r.rows[0]) : null;
  }

  async pending(limit = 200): Promise<DecisionRecord[]> {
    const r = await this.sql.query<Row>(
      `select * from decisions where answered_at is null order by created_at, id limit ${limit}`,
    );
    return r.rows.map(decisionFromRow);
  }

  async ofUnit(unitId: string): Promise<DecisionRecord[]> {
    const r = await this.sql.query<Row>(
      "select * from decisions where unit_id = $1 order by created_at, id",
      [unitId],
    );
    return r.rows.map(decisionFromRow);
  }

  /** Records an answer if it is one of the choices and none was recorded before. */
  async answer(id: string, value: DecisionValue, by: string): Promise<DecisionRecord> {
    const decision = await this.get(id);
    if (!decision) throw new DecisionAnswerError(404, `no decision ${id}`);
    if (!decision.choices.some((c) => c.value === value)) {
      const allowed = decision.choices.map((c) => JSON.stringify(c.value)).join(", ");
      throw new DecisionAnswerError(
        422,
        `${JSON.stringify(value)} is not a choice of decision "${decision.key}" (choices: ${allowed})`,
      );
    }
    const r = await this.sql.query<Row>(
      `update decisions set answer = $2::jsonb, answered_at = now(), answered_by = $3
       where id = $1 and answered_at is null returning *`,
      [id, { value }, by],
    );
    if (r.rowCount === 0)
      throw new DecisionAnswerError(409, `decision "${decision.key}" was answered already`);
    return decisionFromRow(r.rows[0]!);
  }
}

export function decisionView(d: DecisionRecord) {
  return {
    id: d.id,
    unitId: d.unitId,
    key: d.key,
    description: d.description,
    choices: d.choices,
    answer: d.answer,
    pending: d.answeredAt === null,
    /** Whether a workflow state is waiting on this answer (it holds a task token). */
    workflowWaiting: d.taskToken !== null && d.answeredAt === null,
    createdAt: d.createdAt.toISOString(),
    answeredAt: d.answeredAt?.toISOString() ?? null,
    answeredBy: d.answeredBy,
  };
}
