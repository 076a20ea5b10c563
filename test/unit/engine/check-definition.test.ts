import { describe, expect, it } from "vitest";
import {
  AslDefinitionError,
  definitionProblems,
} from "../../../functions/adapters/local/asl/check-definition.ts";
import { ExecutionStore } from "../../../functions/adapters/local/execution-store.ts";
import { LOCAL_ARNS, LocalWorkflowEngine } from "../../../functions/adapters/local/local-engine.ts";
import type { SqlClient } from "../../../functions/ports/sql.ts";
import { type AslDefinition, substitute, WAIT_FOR_TASK_TOKEN } from "../../../workflows/compile.ts";
import { compiled } from "../../../workflows/index.ts";

const task = {
  Type: "Task",
  Resource: WAIT_FOR_TASK_TOKEN,
  Parameters: { FunctionName: LOCAL_ARNS.DispatchJobFunctionArn, Payload: { "token.$": "$$.Task.Token" } },
  TimeoutSeconds: 60,
  HeartbeatSeconds: 30,
  Next: "done",
};
const withStart = (start: Record<string, unknown>): AslDefinition => ({
  Comment: "t",
  StartAt: "start",
  States: { start, done: { Type: "Succeed" } },
});

describe("the local engine refuses what it does not implement, at load", () => {
  it("accepts both compiled workflows", () => {
    for (const workflow of ["transfer", "ingest"] as const) {
      expect(definitionProblems(substitute(compiled(workflow), LOCAL_ARNS))).toEqual([]);
    }
  });

  const refused: Array<[string, Record<string, unknown>, RegExp]> = [
    ["Task OutputPath", { ...task, OutputPath: "$.x" }, /"start": Task field OutputPath is not implemented/],
    ["Task ResultSelector", { ...task, ResultSelector: { "a.$": "$.b" } }, /Task field ResultSelector/],
    ["Task InputPath", { ...task, InputPath: "$.x" }, /Task field InputPath/],
    ["Pass Parameters", { Type: "Pass", Parameters: { a: 1 }, Next: "done" }, /Pass field Parameters/],
    ["Pass OutputPath", { Type: "Pass", OutputPath: "$.a", Next: "done" }, /Pass field OutputPath/],
    ["a Map state", { Type: "Map", Next: "done" }, /type Map is not implemented/],
    [
      "Retry MaxDelaySeconds",
      { ...task, Retry: [{ ErrorEquals: ["X"], MaxDelaySeconds: 3 }] },
      /Retry field MaxDelaySeconds/,
    ],
    [
      "HeartbeatSeconds equal to TimeoutSeconds",
      { ...task, HeartbeatSeconds: 60 },
      /HeartbeatSeconds \(60\) must be smaller than TimeoutSeconds \(60\)/,
    ],
    ["a transition to no state", { ...task, Next: "nowhere" }, /leads to "nowhere", which is not a state/],
    [
      "States.ALL not alone",
      { ...task, Catch: [{ ErrorEquals: ["States.ALL", "X"], Next: "done" }] },
      /States.ALL must appear alone/,
    ],
  ];
  for (const [what, start, message] of refused) {
    it(`refuses ${what}`, () => {
      expect(definitionProblems(withStart(start)).join("\n")).toMatch(message);
    });
  }

  it("a definition it cannot run fails the engine's construction, naming the workflow", () => {
    const definition = withStart({ ...task, OutputPath: "$.x" });
    const make = () =>
      new LocalWorkflowEngine({
        definitions: { transfer: definition, ingest: withStart(task) },
        executions: new ExecutionStore({} as SqlClient),
        dispatchJob: async () => {},
      });
    expect(make).toThrow(AslDefinitionError);
    expect(make).toThrow(
      /the transfer state machine cannot run on the local engine:\n {2}state "start": Task field OutputPath/,
    );
  });
});
