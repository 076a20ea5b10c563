import type { AslDefinition } from "../../../workflows/compile.ts";
import { START_EXECUTION, WAIT_FOR_TASK_TOKEN } from "../../../workflows/compile.ts";
import type { StartResult, WorkflowEngine, WorkflowName } from "../../ports/workflow-engine.ts";
import { checkDefinition } from "./asl/check-definition.ts";
import { chooseNext } from "./asl/choice.ts";
import { evaluateTemplate, get, StatesRuntimeError, setResult } from "./asl/jsonpath.ts";
import type { ExecutionRecord, ExecutionStore } from "./execution-store.ts";

type State = Record<string, unknown>;

export interface LocalEngineOptions {
  /** The compiled definitions with placeholders already substituted (see localSubstitutions). */
  definitions: Record<WorkflowName, AslDefinition>;
  executions: ExecutionStore;
  /** What `lambda:invoke.waitForTaskToken` on the dispatch-job function does here. */
  dispatchJob(payload: Record<string, unknown>): Promise<void>;
  /** Called after every transition (progress display, transition counts). */
  onTransition?(execution: string, state: string): void;
}

export const LOCAL_ARNS = {
  DispatchJobFunctionArn: "arn:aws:lambda:local:000000000000:function:stepmatica-dispatch-job",
  IngestStateMachineArn: "arn:aws:states:local:000000000000:stateMachine:stepmatica-ingest",
} as const;

/** Node's timers hold at most 2^31-1 ms (24.8 days); longer ones would fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

interface Waiter {
  resolve(output: unknown): void;
  reject(error: StatesRuntimeError): void;
  heartbeat(): void;
}

export interface ExecutionOutcome {
  status: "SUCCEEDED" | "FAILED";
  error: string | null;
  cause: string | null;
}

/**
 * Runs the synthesized ASL in-process: the same JSON that CDK deploys. Task states call the local
 * dispatch-job and wait for their token; positions are persisted after every transition so that
 * `resume` re-enters the state a dead process was in (with the same EnteredTime, hence the same job).
 */
export class LocalWorkflowEngine implements WorkflowEngine {
  private readonly waiters = new Map<string, Waiter>();
  private readonly running = new Map<string, Promise<ExecutionOutcome>>();
  private stopped = false;

  /** Refuses, at load, a definition it cannot run as Step Functions would (see asl/check-definition.ts). */
  constructor(private readonly options: LocalEngineOptions) {
    for (const [workflow, definition] of Object.entries(options.definitions)) {
      checkDefinition(workflow, definition);
    }
  }

  static executionId(workflow: WorkflowName, name: string): string {
    return `arn:aws:states:local:000000000000:execution:stepmatica-${workflow}:${name}`;
  }

  async startExecution(
    workflow: WorkflowName,
    name: string,
    input: Record<string, unknown>,
  ): Promise<StartResult> {
    const id = LocalWorkflowEngine.executionId(workflow, name);
    const definition = this.options.definitions[workflow];
    const created = await this.options.executions.insert({
      id,
      workflow,
      name,
      unitId: typeof input.unit === "string" ? input.unit : null,
      state: definition.StartAt,
      stateInput: input,
      enteredAt: new Date().toISOString(),
    });
    if (created) this.launch(id);
    return { executionId: id, alreadyStarted: !created };
  }

  /** Continues an execution from the state it was in (after the process running it died). */
  async resume(executionId: string): Promise<void> {
    const e = await this.options.executions.get(executionId);
    if (e?.status === "RUNNING" && !this.running.has(executionId)) this.launch(executionId);
  }

  /** Resolves when the execution ends (in this process). */
  async waitFor(executionId: string): Promise<ExecutionOutcome> {
    const run = this.running.get(executionId);
    if (run) return run;
    const e = await this.options.executions.get(executionId);
    if (!e) throw new Error(`no execution ${executionId}`);
    if (e.status === "RUNNING") throw new Error(`execution ${executionId} is not running in this process`);
    return { status: e.status, error: e.error, cause: e.cause };
  }

  async sendTaskSuccess(token: string, output: Record<string, unknown>): Promise<void> {
    const waiter = this.waiters.get(token);
    this.waiters.delete(token);
    waiter?.resolve(output); // an unknown token is a settled job: nothing to do, as with TaskTimedOut on AWS
  }

  async sendTaskFailure(token: string, error: string, cause: string): Promise<void> {
    const waiter = this.waiters.get(token);
    this.waiters.delete(token);
    waiter?.reject(new StatesRuntimeError(error, cause));
  }

  async sendTaskHeartbeat(token: string): Promise<void> {
    this.waiters.get(token)?.heartbeat();
  }

  /** Stops taking transitions (the process is shutting down); executions stay RUNNING for resume. */
  stop(): void {
    this.stopped = true;
    for (const w of this.waiters.values())
      w.reject(new StatesRuntimeError("Stepmatica.Stopped", "engine stopped"));
    this.waiters.clear();
  }

  private launch(id: string): void {
    const run = this.execute(id).finally(() => this.running.delete(id));
    this.running.set(id, run);
  }

  private async execute(id: string): Promise<ExecutionOutcome> {
    const record = (await this.options.executions.get(id))!;
    const definition = this.options.definitions[record.workflow as WorkflowName];
    let stateName = record.state!;
    let input = record.stateInput;
    let enteredAt = record.enteredAt!;
    let first = true;
    for (;;) {
      if (this.stopped) return { status: "FAILED", error: "Stepmatica.Stopped", cause: "engine stopped" };
      if (!first) await this.options.executions.enter(id, stateName, input, enteredAt);
      first = false;
      this.options.onTransition?.(id, stateName);
      const state = definition.States[stateName] as State | undefined;
      if (!state) return this.finish(id, "FAILED", "States.Runtime", `no state named ${stateName}`);
      const context = contextFor(record, stateName, enteredAt, 0);
      let next: string | undefined;
      try {
        switch (state.Type) {
          case "Pass": {
            const effective =
              typeof state.InputPath === "string" ? get(state.InputPath, input, context) : input;
            input = setResult(input, state.ResultPath as string | undefined, state.Result ?? effective);
            next = state.Next as string;
            break;
          }
          case "Choice":
            next = chooseNext(state, input, context);
            break;
          case "Succeed":
            return this.finish(id, "SUCCEEDED", null, null);
          case "Fail":
            return this.finish(
              id,
              "FAILED",
              failField(state, "Error", input),
              failField(state, "Cause", input),
            );
          case "Task": {
            const contextOfAttempt = (attempt: number) => contextFor(record, stateName, enteredAt, attempt);
            const outcome = await this.runTaskWithRetry(state, input, contextOfAttempt);
            if (outcome.next) {
              input = outcome.output;
              next = outcome.next;
            } else {
              input = setResult(input, state.ResultPath as string | undefined, outcome.output);
              next = state.Next as string;
            }
            break;
          }
          default:
            throw new StatesRuntimeError("States.Runtime", `unsupported state type ${String(state.Type)}`);
        }
      } catch (error) {
        if (this.stopped) return { status: "FAILED", error: "Stepmatica.Stopped", cause: "engine stopped" };
        const e =
          error instanceof StatesRuntimeError
            ? error
            : new StatesRuntimeError("States.Runtime", String(error));
        return this.finish(id, "FAILED", e.error, e.cause_);
      }
      stateName = next;
      enteredAt = new Date().toISOString();
    }
  }

  private async finish(
    id: string,
    status: "SUCCEEDED" | "FAILED",
    error: string | null,
    cause: string | null,
  ) {
    await this.options.executions.finish(id, status, error, cause);
    return { status, error, cause };
  }

  /**
   * Runs a Task state with its Retry policy; a Catch returns the catcher's Next and the new input.
   * Every attempt has its own context, hence its own task token, as on Step Functions.
   */
  private async runTaskWithRetry(
    state: State,
    input: unknown,
    contextOfAttempt: (attempt: number) => Record<string, unknown>,
  ): Promise<{ output: unknown; next?: string }> {
    const attempts = new Map<object, number>();
    for (let attempt = 0; ; attempt++) {
      try {
        return { output: await this.runTask(state, input, contextOfAttempt(attempt)) };
      } catch (error) {
        if (this.stopped) throw error;
        const e =
          error instanceof StatesRuntimeError
            ? error
            : new StatesRuntimeError(errorName(error), String(error));
        const retrier = ((state.Retry as State[]) ?? []).find((r) => errorMatches(r.ErrorEquals, e));
        const used = retrier ? (attempts.get(retrier) ?? 0) : 0;
        if (retrier && used < Number(retrier.MaxAttempts ?? 3)) {
          attempts.set(retrier, used + 1);
          const delay = Number(retrier.IntervalSeconds ?? 1) * Number(retrier.BackoffRate ?? 2) ** used;
          await new Promise((r) => setTimeout(r, Math.min(delay, 5) * 1000));
          continue;
        }
        const catcher = ((state.Catch as State[]) ?? []).find((c) => errorMatches(c.ErrorEquals, e));
        if (!catcher) throw e;
        const output = setResult(input, catcher.ResultPath as string | undefined, {
          Error: e.error,
          Cause: e.cause_,
        });
        return { output, next: String(catcher.Next) };
      }
    }
  }

  private async runTask(state: State, input: unknown, context: Record<string, unknown>): Promise<unknown> {
    const params = evaluateTemplate(state.Parameters ?? {}, input, context) as Record<string, unknown>;
    if (state.Resource === START_EXECUTION) {
      const workflow = workflowOfArn(String(params.StateMachineArn));
      const started = await this.startExecution(
        workflow,
        String(params.Name),
        params.Input as Record<string, unknown>,
      );
      return { ExecutionArn: started.executionId, StartDate: new Date().toISOString() };
    }
    if (state.Resource !== WAIT_FOR_TASK_TOKEN || params.FunctionName !== LOCAL_ARNS.DispatchJobFunctionArn) {
      throw new StatesRuntimeError(
        "States.Runtime",
        `the local engine cannot run resource ${String(state.Resource)}`,
      );
    }
    const token = String((context.Task as Record<string, unknown>).Token);
    const result = this.waitForToken(
      token,
      Number(state.TimeoutSeconds ?? 0),
      Number(state.HeartbeatSeconds ?? 0),
    );
    await this.options.dispatchJob(params.Payload as Record<string, unknown>).catch((error: unknown) => {
      this.sendTaskFailure(token, errorName(error), String((error as Error)?.message ?? error));
    });
    return result;
  }

  private waitForToken(token: string, timeoutSeconds: number, heartbeatSeconds: number): Promise<unknown> {
    return new Promise((resolve, reject) => {
      let heartbeatTimer: NodeJS.Timeout | undefined;
      const clear = () => {
        clearTimeout(timeoutTimer);
        clearTimeout(heartbeatTimer);
      };
      const fail = (error: StatesRuntimeError) => {
        if (this.waiters.get(token) !== waiter) return;
        this.waiters.delete(token);
        clear();
        reject(error);
      };
      const timeoutTimer = setTimeout(
        () => fail(new StatesRuntimeError("States.Timeout", `timed out after ${timeoutSeconds} s`)),
        timeoutSeconds > 0 ? Math.min(timeoutSeconds * 1000, MAX_TIMER_MS) : MAX_TIMER_MS,
      );
      const armHeartbeat = () => {
        clearTimeout(heartbeatTimer);
        if (heartbeatSeconds > 0) {
          heartbeatTimer = setTimeout(
            // Step Functions: a missed heartbeat is a States.Timeout, also caught as States.HeartbeatTimeout.
            () =>
              fail(
                new StatesRuntimeError("States.Timeout", `no heartbeat for ${heartbeatSeconds} s`, [
                  "States.HeartbeatTimeout",
                ]),
              ),
            Math.min(heartbeatSeconds * 1000, MAX_TIMER_MS),
          );
        }
      };
      const waiter: Waiter = {
        resolve: (output) => {
          clear();
          resolve(output);
        },
        reject: (error) => {
          clear();
          reject(error);
        },
        heartbeat: armHeartbeat,
      };
      armHeartbeat();
      this.waiters.set(token, waiter);
    });
  }
}

function contextFor(
  record: ExecutionRecord,
  stateName: string,
  enteredAt: string,
  attempt: number,
): Record<string, unknown> {
  return {
    Execution: { Id: record.id, Name: record.name, StartTime: record.startedAt.toISOString() },
    StateMachine: { Id: `stepmatica-${record.workflow}`, Name: `stepmatica-${record.workflow}` },
    State: { Name: stateName, EnteredTime: enteredAt },
    // One per attempt (a Retry gets a new token, as on Step Functions). Deterministic: a resumed state
    // starts again at attempt 0 and dispatch-job moves the job row to that token.
    Task: { Token: `${record.id}#${stateName}#${enteredAt}#${attempt}` },
  };
}

function failField(state: State, field: "Error" | "Cause", input: unknown): string | null {
  const pathKey = `${field}Path`;
  if (typeof state[pathKey] === "string") {
    try {
      const value = get(state[pathKey] as string, input, {});
      return typeof value === "string" ? value : JSON.stringify(value);
    } catch {
      return null;
    }
  }
  return typeof state[field] === "string" ? (state[field] as string) : null;
}

/**
 * Whether a Retry or Catch entry matches an error. States.Runtime matches nothing: on Step Functions
 * it is neither retried nor caught, not even by States.ALL (the execution fails).
 */
function errorMatches(names: unknown, error: StatesRuntimeError): boolean {
  if (error.error === "States.Runtime" || error.error.startsWith("Stepmatica.Stopped")) return false;
  const list = Array.isArray(names) ? (names as string[]) : [];
  return [error.error, ...error.alsoKnownAs, "States.ALL"].some((name) => list.includes(name));
}

function errorName(error: unknown): string {
  return error instanceof Error && error.name !== "Error" ? error.name : "Lambda.Unknown";
}

function workflowOfArn(arn: string): WorkflowName {
  if (arn === LOCAL_ARNS.IngestStateMachineArn) return "ingest";
  throw new StatesRuntimeError("States.Runtime", `unknown state machine ${arn}`);
}
