/**
 * The service limits a deployment must fit, checked when the stack is synthesized (`cdk synth`
 * fails, naming the limit) rather than discovered in production: a light job that outlives its
 * Lambda is released and redelivered until it is dead-lettered; a state machine that breaks the
 * States Language or a quota is refused at deploy or fails mid-transfer.
 */
import type { CfnFunction } from "aws-cdk-lib/aws-lambda";
import type { CfnQueue } from "aws-cdk-lib/aws-sqs";
import type { CfnStateMachine } from "aws-cdk-lib/aws-stepfunctions";
import type { IConstruct, IValidation } from "constructs";
import { STOP_MARGIN_MS } from "../functions/handlers/stop-margin.ts";
import { type AslDefinition, type AslState, AWAIT_DECISION_JOB } from "../workflows/compile.ts";
import { findJob } from "../workflows/index.ts";
import { MAX_EXTRACT_DEPTH } from "../workflows/processing-config.ts";
import { VISIBILITY_FACTOR } from "./config/schema.ts";

/** SQS: a message's visibility timeout (and its extensions) ends 12 h after it was received. */
export const SQS_MAX_VISIBILITY_SECONDS = 12 * 3600;
/** Step Functions: the largest state machine definition. */
export const SFN_MAX_DEFINITION_BYTES = 1024 * 1024;
/** Step Functions (Standard): events in one execution's history. */
export const SFN_MAX_HISTORY_EVENTS = 25_000;

export interface QueueLimits {
  visibilitySeconds: number;
  consumerTimeoutSeconds: number;
}

export interface LimitInputs {
  /** The state machines as deployed (the template's DefinitionString). */
  definitions: Record<string, string>;
  /** The run-tasks function's timeout: every light task runs in it. */
  lightFunctionTimeoutSeconds: number;
  queues: Record<"light" | "heavy", QueueLimits>;
}

const isTask = (state: AslState) => state.Type === "Task";
const jobOf = (state: AslState) =>
  ((state.Parameters as { Payload?: { job?: unknown } } | undefined)?.Payload?.job as string | undefined) ??
  undefined;

/** Every problem with the inputs, one line each naming the limit; empty when the deployment fits. */
export function limitProblems(inputs: LimitInputs): string[] {
  const problems: string[] = [];
  const lightBudget = inputs.lightFunctionTimeoutSeconds - STOP_MARGIN_MS / 1000;
  for (const [name, queue] of Object.entries(inputs.queues)) {
    if (queue.visibilitySeconds < queue.consumerTimeoutSeconds * VISIBILITY_FACTOR)
      problems.push(
        `${name} queue: visibility ${queue.visibilitySeconds} s is less than ${VISIBILITY_FACTOR} × its consumer's timeout (${queue.consumerTimeoutSeconds} s)`,
      );
    if (queue.visibilitySeconds > SQS_MAX_VISIBILITY_SECONDS)
      problems.push(`${name} queue: visibility ${queue.visibilitySeconds} s exceeds SQS's 12 h maximum`);
  }
  for (const [workflow, text] of Object.entries(inputs.definitions)) {
    const bytes = Buffer.byteLength(text, "utf8");
    if (bytes > SFN_MAX_DEFINITION_BYTES)
      problems.push(`${workflow}: the definition is ${bytes} bytes, over Step Functions' 1 MB`);
    const definition = JSON.parse(text) as AslDefinition;
    for (const [stateName, state] of Object.entries(definition.States)) {
      if (!isTask(state)) continue;
      const where = `${workflow}, state ${stateName}`;
      const timeout = state.TimeoutSeconds as number | undefined;
      const heartbeat = state.HeartbeatSeconds as number | undefined;
      if (heartbeat !== undefined && (timeout === undefined || heartbeat >= timeout))
        problems.push(
          `${where}: HeartbeatSeconds (${heartbeat}) must be smaller than TimeoutSeconds (${timeout})`,
        );
      const job = jobOf(state);
      const declaration = job ? findJob(job) : undefined;
      // The wait for an operator runs no task: only its state's timeout applies.
      if (!declaration || declaration.id === AWAIT_DECISION_JOB.id || timeout === undefined) continue;
      // One task runs at most this long: its declared task limit, or the whole job's.
      const taskSeconds = Math.min(declaration.taskTimeoutSeconds ?? timeout, timeout);
      if (declaration.queue === "light" && taskSeconds > lightBudget)
        problems.push(
          `${where}: a light task may run ${taskSeconds} s, more than the run-tasks function's ${inputs.lightFunctionTimeoutSeconds} s minus its ${STOP_MARGIN_MS / 1000} s stop margin`,
        );
      if (taskSeconds > SQS_MAX_VISIBILITY_SECONDS)
        problems.push(
          `${where}: a task may run ${taskSeconds} s, beyond SQS's 12 h visibility ceiling for its message`,
        );
    }
    const events = estimatedHistoryEvents(definition, MAX_EXTRACT_DEPTH + 1);
    if (events > SFN_MAX_HISTORY_EVENTS)
      problems.push(
        `${workflow}: an execution may write about ${events} history events, over Step Functions' ${SFN_MAX_HISTORY_EVENTS}`,
      );
  }
  return problems;
}

/** History events of one visit to a state, every Retry used up (the worst case). */
function eventsPerVisit(state: AslState): number {
  if (!isTask(state)) return 2; // StateEntered, StateExited
  // Entered, Scheduled, Started, (Submitted), Succeeded/Failed, Exited; a retry: Failed, Scheduled, Started, Submitted.
  const retries = ((state.Retry as Array<{ MaxAttempts?: number }> | undefined) ?? []).reduce(
    (sum, retrier) => sum + (retrier.MaxAttempts ?? 3),
    0,
  );
  return 6 + 4 * retries;
}

/**
 * An upper bound of one execution's history: every state visited (each state on a cycle once per
 * loop iteration, at most `loopIterations`), every retry used, plus the execution's start and end.
 */
export function estimatedHistoryEvents(definition: AslDefinition, loopIterations: number): number {
  const next = (state: AslState): string[] =>
    [
      state.Next,
      state.Default,
      ...((state.Choices as Array<{ Next?: string }> | undefined) ?? []).map((c) => c.Next),
      ...((state.Catch as Array<{ Next?: string }> | undefined) ?? []).map((c) => c.Next),
    ].filter((n): n is string => typeof n === "string");
  const reaches = (from: string, to: string): boolean => {
    const seen = new Set<string>();
    const stack = [...next(definition.States[from] ?? {})];
    while (stack.length > 0) {
      const name = stack.pop()!;
      if (name === to) return true;
      if (seen.has(name)) continue;
      seen.add(name);
      stack.push(...next(definition.States[name] ?? {}));
    }
    return false;
  };
  let events = 2;
  for (const [name, state] of Object.entries(definition.States))
    events += eventsPerVisit(state) * (reaches(name, name) ? loopIterations : 1);
  return events;
}

/** The check, wired to a stack's constructs: what they will synthesize is what is checked. */
export class DeploymentLimits implements IValidation {
  constructor(
    private readonly parts: {
      stateMachines: Record<string, IConstruct>;
      runTasks: IConstruct;
      queues: Record<"light" | "heavy", { queue: IConstruct; consumerTimeoutSeconds: () => number }>;
    },
  ) {}

  validate(): string[] {
    const l1 = <T>(construct: IConstruct) => construct.node.defaultChild as T;
    const definitions: Record<string, string> = {};
    for (const [name, machine] of Object.entries(this.parts.stateMachines)) {
      const text = l1<CfnStateMachine>(machine).definitionString;
      if (typeof text !== "string")
        return [`${name}: the definition is not a literal string; cannot check it`];
      definitions[name] = text;
    }
    const seconds = (value: unknown, what: string) => {
      if (typeof value !== "number") throw new Error(`${what} is not a number at synthesis`);
      return value;
    };
    const queue = (name: "light" | "heavy"): QueueLimits => ({
      visibilitySeconds: seconds(
        l1<CfnQueue>(this.parts.queues[name].queue).visibilityTimeout,
        `${name} queue visibility`,
      ),
      consumerTimeoutSeconds: this.parts.queues[name].consumerTimeoutSeconds(),
    });
    return limitProblems({
      definitions,
      lightFunctionTimeoutSeconds: seconds(l1<CfnFunction>(this.parts.runTasks).timeout, "run-tasks timeout"),
      queues: { light: queue("light"), heavy: queue("heavy") },
    }).map((problem) => `stepmatica limits: ${problem}`);
  }
}
