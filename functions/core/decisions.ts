import { AWAIT_DECISION_JOB } from "../../workflows/compile.ts";
import { DECISION_CHOICES, type DecisionKey } from "../../workflows/processing-config.ts";
import type { WorkflowEngine } from "../ports/workflow-engine.ts";
import type { DispatchPayload } from "./dispatch-job.ts";
import { idsFor } from "./ids.ts";
import { DecisionStore, type DecisionValue } from "./store/decisions.ts";
import type { TaskStore } from "./store/task-store.ts";

/**
 * A decision point the processing configuration left to an operator ("ask"): the state machine
 * waits on a task token; the decision is recorded with it and the unit shows "awaiting-decision".
 * Idempotent: a retried or resumed entry refreshes the token, and an answer given already settles
 * the wait at once.
 */
export async function awaitDecision(
  deps: { store: TaskStore; engine: WorkflowEngine },
  p: DispatchPayload,
  description: string,
): Promise<{ jobId: string; tasks: number }> {
  const key = p.key as DecisionKey | undefined;
  if (!key || !(key in DECISION_CHOICES))
    throw new Error(`await_decision without a known configuration key (${p.key})`);
  let job = await deps.store.findJob(p.execution, AWAIT_DECISION_JOB.id, p.enteredAt);
  if (!job) {
    await deps.store.createJob({
      job: {
        id: idsFor(p.unit).uuid(`job:${p.execution}:${p.decision}:${p.enteredAt}`),
        unitId: p.unit,
        executionId: p.execution,
        name: AWAIT_DECISION_JOB.id,
        microservice: AWAIT_DECISION_JOB.microservice,
        description: `${AWAIT_DECISION_JOB.description}: ${key}`,
        enteredAt: p.enteredAt,
        taskToken: p.token,
        taskCount: 0,
      },
      tasks: [],
    });
    job = (await deps.store.findJob(p.execution, AWAIT_DECISION_JOB.id, p.enteredAt))!;
  } else if (job.taskToken !== p.token) await deps.store.setJobToken(job.id, p.token);

  const decision = await new DecisionStore(deps.store.sql).ask({
    id: idsFor(p.unit).uuid(`decision:${key}`),
    unitId: p.unit,
    key,
    description,
    choices: DECISION_CHOICES[key].map((value) => ({ value, label: String(value) })),
    taskToken: p.token,
  });
  if (decision.answer !== null) {
    await settleDecision(deps, job.id, p.token, decision.answer);
    return { jobId: job.id, tasks: 0 };
  }
  await deps.store.updateUnit(p.unit, { status: "awaiting-decision" });
  return { jobId: job.id, tasks: 0 };
}

/**
 * Records an operator's answer (once; it must be one of the choices), puts it into the unit's
 * configuration and resumes the workflow waiting on it.
 */
export async function answerDecision(
  deps: { store: TaskStore; engine: WorkflowEngine },
  decisionId: string,
  value: DecisionValue,
  by: string,
) {
  const decision = await new DecisionStore(deps.store.sql).answer(decisionId, value, by);
  await deps.store.updateUnit(decision.unitId, { status: "running", config: { [decision.key]: value } });
  if (decision.taskToken) {
    const job = await deps.store.findJobByToken(decision.taskToken);
    await settleDecision(deps, job?.id ?? null, decision.taskToken, value);
  }
  return decision;
}

async function settleDecision(
  deps: { store: TaskStore; engine: WorkflowEngine },
  jobId: string | null,
  token: string,
  value: DecisionValue,
) {
  if (jobId) await deps.store.finishJob(jobId, 0, { value });
  await deps.engine.sendTaskSuccess(token, { exitCode: 0, value });
}
