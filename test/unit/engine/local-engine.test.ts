import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ExecutionStore } from "../../../functions/adapters/local/execution-store.ts";
import { LOCAL_ARNS, LocalWorkflowEngine } from "../../../functions/adapters/local/local-engine.ts";
import { PgliteSql } from "../../../functions/adapters/sql/pglite.ts";
import { migrate } from "../../../functions/core/store/migrations.ts";
import type { AslDefinition } from "../../../workflows/compile.ts";

const FN = LOCAL_ARNS.DispatchJobFunctionArn;
const task = (job: string, next: string, extra: Record<string, unknown> = {}) => ({
  Type: "Task",
  Resource: "arn:aws:states:::lambda:invoke.waitForTaskToken",
  Parameters: { FunctionName: FN, Payload: { job, "token.$": "$$.Task.Token", "n.$": "$.n" } },
  ResultPath: `$.jobs.${job}`,
  Next: next,
  ...extra,
});

describe("the local ASL engine", () => {
  let sql: PgliteSql;
  let executions: ExecutionStore;
  beforeEach(async () => {
    sql = await PgliteSql.open();
    await migrate(sql);
    executions = new ExecutionStore(sql);
  });
  afterEach(async () => {
    await sql.close();
  });

  function engineFor(
    definition: AslDefinition,
    dispatch: (p: Record<string, unknown>, e: LocalWorkflowEngine) => void,
  ) {
    const engine: LocalWorkflowEngine = new LocalWorkflowEngine({
      definitions: { transfer: definition, ingest: definition },
      executions,
      dispatchJob: async (payload) => dispatch(payload, engine),
    });
    return engine;
  }

  it("runs Task, Choice and Pass states; the token result lands at ResultPath; transitions are counted", async () => {
    const definition: AslDefinition = {
      Comment: "t",
      StartAt: "a",
      States: {
        a: task("a", "check"),
        check: {
          Type: "Choice",
          Choices: [{ Variable: "$.jobs.a.exitCode", NumericEquals: 0, Next: "mark" }],
          Default: "bad",
        },
        mark: { Type: "Pass", Result: { ok: true }, ResultPath: "$.marked", Next: "done" },
        bad: { Type: "Fail", Error: "Bad", Cause: "exit code" },
        done: { Type: "Succeed" },
      },
    };
    const engine = engineFor(definition, (p, e) => {
      void e.sendTaskSuccess(String(p.token), { exitCode: 0, n: p.n });
    });
    const { executionId } = await engine.startExecution("transfer", "one", { n: 7 });
    expect(await engine.waitFor(executionId)).toEqual({ status: "SUCCEEDED", error: null, cause: null });
    expect((await executions.get(executionId))!.transitions).toBe(4);
  });

  it("starting the same name twice is one execution", async () => {
    const definition: AslDefinition = { Comment: "t", StartAt: "s", States: { s: { Type: "Succeed" } } };
    const engine = engineFor(definition, () => {});
    const first = await engine.startExecution("transfer", "same", {});
    const second = await engine.startExecution("transfer", "same", {});
    expect(first.alreadyStarted).toBe(false);
    expect(second).toEqual({ executionId: first.executionId, alreadyStarted: true });
  });

  it("a task that never answers times out into its Catch, with the error in ResultPath", async () => {
    const definition: AslDefinition = {
      Comment: "t",
      StartAt: "a",
      States: {
        a: task("a", "done", {
          TimeoutSeconds: 1,
          Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "failed" }],
        }),
        failed: { Type: "Fail", ErrorPath: "$.error.Error", CausePath: "$.error.Cause" },
        done: { Type: "Succeed" },
      },
    };
    const engine = engineFor(definition, () => {});
    const { executionId } = await engine.startExecution("transfer", "hang", { n: 1 });
    const outcome = await engine.waitFor(executionId);
    expect(outcome).toMatchObject({ status: "FAILED", error: "States.Timeout" });
    expect(outcome.cause).toContain("1 s");
  });

  it("heartbeats keep a long task alive past its HeartbeatSeconds", async () => {
    const definition: AslDefinition = {
      Comment: "t",
      StartAt: "a",
      States: {
        a: task("a", "done", { HeartbeatSeconds: 1, TimeoutSeconds: 10 }),
        done: { Type: "Succeed" },
      },
    };
    const engine = engineFor(definition, (p, e) => {
      const token = String(p.token);
      const beat = setInterval(() => void e.sendTaskHeartbeat(token), 300);
      setTimeout(() => {
        clearInterval(beat);
        void e.sendTaskSuccess(token, { exitCode: 0 });
      }, 2500);
    });
    const { executionId } = await engine.startExecution("transfer", "beat", { n: 1 });
    expect((await engine.waitFor(executionId)).status).toBe("SUCCEEDED");
  });

  it("a dispatch that throws is retried per Retry, then caught", async () => {
    let calls = 0;
    const definition: AslDefinition = {
      Comment: "t",
      StartAt: "a",
      States: {
        a: task("a", "done", {
          Retry: [{ ErrorEquals: ["Lambda.Unknown"], IntervalSeconds: 0, MaxAttempts: 2, BackoffRate: 1 }],
          Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.error", Next: "caught" }],
        }),
        caught: { Type: "Fail", Error: "Caught" },
        done: { Type: "Succeed" },
      },
    };
    const engine = engineFor(definition, () => {
      calls += 1;
      throw new Error("dispatch down");
    });
    const { executionId } = await engine.startExecution("transfer", "retry", { n: 1 });
    expect((await engine.waitFor(executionId)).error).toBe("Caught");
    expect(calls).toBe(3);
  });

  it("a path missing from the input is a States.Runtime failure, not a silent null", async () => {
    const definition: AslDefinition = {
      Comment: "t",
      StartAt: "c",
      States: {
        c: { Type: "Choice", Choices: [{ Variable: "$.nope", NumericEquals: 1, Next: "d" }], Default: "d" },
        d: { Type: "Succeed" },
      },
    };
    const engine = engineFor(definition, () => {});
    const { executionId } = await engine.startExecution("transfer", "rt", {});
    expect((await engine.waitFor(executionId)).error).toBe("States.Runtime");
  });

  it("resume re-enters the state a stopped engine was in, with the same EnteredTime and token", async () => {
    const definition: AslDefinition = {
      Comment: "t",
      StartAt: "a",
      States: { a: task("a", "done"), done: { Type: "Succeed" } },
    };
    const tokens: string[] = [];
    const first = engineFor(definition, (p) => {
      tokens.push(String(p.token));
    });
    const { executionId } = await first.startExecution("transfer", "resume", { n: 1 });
    await new Promise((r) => setTimeout(r, 100));
    first.stop();
    expect((await executions.get(executionId))!.status).toBe("RUNNING");
    const second = engineFor(definition, (p, e) => {
      tokens.push(String(p.token));
      void e.sendTaskSuccess(String(p.token), { exitCode: 0 });
    });
    await second.resume(executionId);
    expect((await second.waitFor(executionId)).status).toBe("SUCCEEDED");
    expect(tokens).toHaveLength(2);
    expect(tokens[1]).toBe(tokens[0]);
  });
});
