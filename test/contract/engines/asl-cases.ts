/**
 * Small state machines, each exercising one States Language behaviour our compiled workflows rely
 * on, with what Step Functions does with them. Both engines (ours, in-process; moto's, an
 * independent implementation) run every case and must give this outcome.
 *
 * A case's Task states invoke `${DispatchJobFunctionArn}` with waitForTaskToken, as the compiled
 * workflows do; `dispatch` is the function behind it: it sees the payload and answers through the
 * Step Functions API (SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat), or throws.
 */
import type { WorkflowEngine } from "../../../functions/ports/workflow-engine.ts";
import { type AslDefinition, WAIT_FOR_TASK_TOKEN } from "../../../workflows/compile.ts";

export interface Outcome {
  status: "SUCCEEDED" | "FAILED";
  error: string | null;
  /** Compared only when the case says so (the engines word their own causes differently). */
  cause?: string | null;
}

/** What one invocation of the dispatch function does; `call` counts from 1. */
export type Dispatch = (payload: Record<string, unknown>, call: number, api: WorkflowEngine) => Promise<void>;

/** Thrown by a dispatch to fail the Invoke the way the Lambda service does (not the function). */
export class LambdaServiceFailure extends Error {
  override name = "Lambda.ServiceException";
}

export class NamedError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export interface AslCase {
  name: string;
  definition: AslDefinition;
  input: Record<string, unknown>;
  dispatch?: Dispatch;
  expected: Outcome;
  compareCause?: boolean;
  /** Checks on what the dispatch function saw (calls, tokens). */
  calls?: number;
  distinctTokens?: number;
}

/** Units are uuids (the execution records carry them). */
const UNIT = "0b9d3a1e-6f4c-4e8a-9a57-3d2c1b0a9f8e";

const task = (extra: Record<string, unknown> = {}) => ({
  Type: "Task",
  Resource: WAIT_FOR_TASK_TOKEN,
  Parameters: {
    FunctionName: "${DispatchJobFunctionArn}",
    Payload: { "token.$": "$$.Task.Token", "unit.$": "$.unit" },
  },
  ResultPath: "$.result",
  TimeoutSeconds: 30,
  HeartbeatSeconds: 20,
  ...extra,
});
const machine = (States: Record<string, Record<string, unknown>>): AslDefinition => ({
  Comment: "shared engine case",
  StartAt: "start",
  States,
});
const recordError = { Type: "Fail", ErrorPath: "$.error.Error", CausePath: "$.error.Cause" };
const succeed = { Type: "Succeed" };
const answer =
  (exitCode: number): Dispatch =>
  async (p, _call, api) => {
    await api.sendTaskSuccess(String(p.token), { exitCode });
  };

export const ASL_CASES: AslCase[] = [
  {
    name: "choice on a job's exit code, with IsPresent guarding a missing key",
    definition: machine({
      start: task({ Next: "outcome" }),
      outcome: {
        Type: "Choice",
        Choices: [
          {
            And: [
              { Variable: "$.config.x", IsPresent: true },
              { Variable: "$.config.x", StringEquals: "ask" },
            ],
            Next: "bad",
          },
          { Variable: "$.result.exitCode", NumericEquals: 0, Next: "done" },
          { Variable: "$.result.exitCode", NumericGreaterThan: 100, Next: "branch" },
        ],
        Default: "bad",
      },
      branch: { Type: "Fail", Error: "Branched", Cause: "exit code above 100" },
      bad: { Type: "Fail", Error: "Bad", Cause: "no choice" },
      done: succeed,
    }),
    input: { unit: UNIT, config: {} },
    dispatch: answer(179),
    expected: { status: "FAILED", error: "Branched", cause: "exit code above 100" },
    compareCause: true,
    calls: 1,
  },
  {
    name: "Fail with Error and Cause",
    definition: machine({ start: { Type: "Fail", Error: "Rejected", Cause: "the transfer is empty" } }),
    input: {},
    expected: { status: "FAILED", error: "Rejected", cause: "the transfer is empty" },
    compareCause: true,
  },
  {
    name: "Pass: InputPath selects the answer, ResultPath puts it into the configuration",
    definition: machine({
      start: { Type: "Pass", InputPath: "$.answer.value", ResultPath: "$.config.normalize", Next: "check" },
      check: {
        Type: "Choice",
        Choices: [{ Variable: "$.config.normalize", StringEquals: "access", Next: "done" }],
        Default: "wrong",
      },
      wrong: { Type: "Fail", Error: "Wrong" },
      done: succeed,
    }),
    input: { answer: { value: "access" }, config: { normalize: "ask" } },
    expected: { status: "SUCCEEDED", error: null },
  },
  {
    name: "SendTaskFailure is caught by its error name; Catch puts Error and Cause at ResultPath",
    definition: machine({
      start: task({
        Catch: [{ ErrorEquals: ["JobFailed"], ResultPath: "$.error", Next: "record" }],
        Next: "done",
      }),
      record: recordError,
      done: succeed,
    }),
    input: { unit: UNIT },
    dispatch: async (p, _call, api) => {
      await api.sendTaskFailure(String(p.token), "JobFailed", "scan found a virus");
    },
    expected: { status: "FAILED", error: "JobFailed", cause: "scan found a virus" },
    compareCause: true,
    calls: 1,
  },
  {
    name: "Retry on a Lambda service error: a new task token per attempt, then success",
    definition: machine({
      start: task({
        Retry: [
          { ErrorEquals: ["Lambda.ServiceException"], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 1 },
        ],
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "record" }],
        Next: "done",
      }),
      record: recordError,
      done: succeed,
    }),
    input: { unit: UNIT },
    dispatch: async (p, call, api) => {
      if (call === 1) throw new LambdaServiceFailure("throttled after the function ran");
      await api.sendTaskSuccess(String(p.token), { exitCode: 0 });
    },
    expected: { status: "SUCCEEDED", error: null },
    calls: 2,
    distinctTokens: 2,
  },
  {
    name: "a function error is retried while attempts last, then caught by States.ALL",
    definition: machine({
      start: task({
        Retry: [
          { ErrorEquals: ["Stepmatica.Transient"], IntervalSeconds: 1, MaxAttempts: 1, BackoffRate: 1 },
        ],
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "record" }],
        Next: "done",
      }),
      record: recordError,
      done: succeed,
    }),
    input: { unit: UNIT },
    dispatch: async () => {
      throw new NamedError("Stepmatica.Transient", "database resuming");
    },
    expected: { status: "FAILED", error: "Stepmatica.Transient" },
    calls: 2,
    distinctTokens: 2,
  },
  {
    name: "States.ALL does not catch States.Runtime: a missing Name.$ path fails the execution",
    definition: machine({
      start: task({
        Parameters: {
          FunctionName: "${DispatchJobFunctionArn}",
          Payload: { "token.$": "$$.Task.Token", "name.$": "$.sip" },
        },
        Retry: [{ ErrorEquals: ["States.ALL"], IntervalSeconds: 1, MaxAttempts: 2 }],
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "record" }],
        Next: "done",
      }),
      record: { Type: "Fail", Error: "Caught", Cause: "reached the failure path" },
      done: succeed,
    }),
    input: { unit: UNIT },
    dispatch: answer(0),
    expected: { status: "FAILED", error: "States.Runtime" },
    calls: 0,
  },
  {
    name: "a task nobody answers times out (States.Timeout) into its Catch",
    definition: machine({
      start: task({
        TimeoutSeconds: 2,
        HeartbeatSeconds: 1,
        Catch: [{ ErrorEquals: ["States.Timeout"], ResultPath: "$.error", Next: "record" }],
        Next: "done",
      }),
      record: recordError,
      done: succeed,
    }),
    input: { unit: UNIT },
    dispatch: async (p, _call, api) => {
      // Heartbeats keep it past HeartbeatSeconds; the TimeoutSeconds still ends it.
      const beat = setInterval(() => void api.sendTaskHeartbeat(String(p.token)).catch(() => {}), 300);
      setTimeout(() => clearInterval(beat), 4000);
    },
    expected: { status: "FAILED", error: "States.Timeout" },
    calls: 1,
  },
  {
    name: "no heartbeat within HeartbeatSeconds: a States.Timeout",
    definition: machine({
      start: task({
        TimeoutSeconds: 20,
        HeartbeatSeconds: 1,
        Catch: [{ ErrorEquals: ["States.Timeout"], ResultPath: "$.error", Next: "record" }],
        Next: "done",
      }),
      record: recordError,
      done: succeed,
    }),
    input: { unit: UNIT },
    dispatch: async () => {},
    expected: { status: "FAILED", error: "States.Timeout" },
    calls: 1,
  },
  {
    name: "heartbeats keep a task alive past its HeartbeatSeconds",
    definition: machine({
      start: task({ TimeoutSeconds: 20, HeartbeatSeconds: 1, Next: "done" }),
      done: succeed,
    }),
    input: { unit: UNIT },
    dispatch: async (p, _call, api) => {
      const token = String(p.token);
      const beat = setInterval(() => void api.sendTaskHeartbeat(token).catch(() => {}), 300);
      setTimeout(() => {
        clearInterval(beat);
        void api.sendTaskSuccess(token, { exitCode: 0 });
      }, 2500);
    },
    expected: { status: "SUCCEEDED", error: null },
    calls: 1,
  },
];
