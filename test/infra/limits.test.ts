/**
 * The deployment limits are checked by `cdk synth` (infra/limits.ts): one stack is built, and each
 * limit is broken on its own through the construct that would ship it; synthesis must then fail
 * naming that limit, and pass again once it is restored.
 */
import { App } from "aws-cdk-lib";
import type { CfnFunction } from "aws-cdk-lib/aws-lambda";
import type { CfnQueue } from "aws-cdk-lib/aws-sqs";
import type { CfnStateMachine } from "aws-cdk-lib/aws-stepfunctions";
import { beforeAll, describe, expect, it } from "vitest";
import { addStepmaticaStacks } from "../../infra/stacks/stepmatica-app.ts";
import type { StepmaticaStack } from "../../infra/stacks/stepmatica-stack.ts";
import type { AslDefinition } from "../../workflows/compile.ts";
import { cdkJsonContext } from "./synth.ts";

let app: App;
let stack: StepmaticaStack;

beforeAll(() => {
  for (const stage of ["staging", "production"]) {
    const context = { ...cdkJsonContext(), env: stage, "aws:cdk:bundling-stacks": [] };
    app = new App({ context });
    [stack] = addStepmaticaStacks(app, { nag: false });
    app.synth(); // the declared workflows and both stages' settings fit every limit
  }
}, 240_000);

const synth = () => app.synth({ force: true });
const l1 = <T>(construct: { node: { defaultChild?: unknown } }) => construct.node.defaultChild as T;

/** Breaks one property for one synthesis, then puts it back and checks synthesis passes again. */
function breaking<T>(target: T, key: keyof T, value: T[keyof T], expected: RegExp) {
  const original = target[key];
  target[key] = value;
  try {
    expect(synth).toThrow(expected);
  } finally {
    target[key] = original;
  }
  expect(synth).not.toThrow();
}

/** The transfer machine's definition with one change. */
function transferDefinition(change: (asl: AslDefinition) => void): string {
  const machine = l1<CfnStateMachine>(stack.pipeline.transfer);
  const asl = JSON.parse(machine.definitionString as string) as AslDefinition;
  change(asl);
  return JSON.stringify(asl);
}

describe("cdk synth fails on each broken limit", () => {
  it("HeartbeatSeconds must be smaller than TimeoutSeconds", () => {
    const broken = transferDefinition((asl) => {
      asl.States.verify_bag!.HeartbeatSeconds = asl.States.verify_bag!.TimeoutSeconds;
    });
    breaking(
      l1<CfnStateMachine>(stack.pipeline.transfer),
      "definitionString",
      broken,
      /verify_bag: HeartbeatSeconds \(21600\) must be smaller than TimeoutSeconds/,
    );
  });

  it("a light task must fit the run-tasks function's timeout minus the stop margin", () => {
    breaking(
      l1<CfnFunction>(stack.functions.runTasks),
      "timeout",
      250,
      /a light task may run 240 s, more than the run-tasks function's 250 s minus its 15 s stop margin/,
    );
  });

  it("the light queue's visibility must be at least 6 × the consumer's timeout", () => {
    const timeout = stack.config.functions.runTasksTimeoutSeconds;
    breaking(
      l1<CfnQueue>(stack.queues.light),
      "visibilityTimeout",
      6 * timeout - 1,
      new RegExp(
        `light queue: visibility ${6 * timeout - 1} s is less than 6 × its consumer's timeout \\(${timeout} s\\)`,
      ),
    );
  });

  it("no task may run beyond SQS's 12 h visibility ceiling", () => {
    const broken = transferDefinition((asl) => {
      asl.States.scan_for_viruses!.TimeoutSeconds = 13 * 3600;
    });
    breaking(
      l1<CfnStateMachine>(stack.pipeline.transfer),
      "definitionString",
      broken,
      /scan_for_viruses: a task may run 46800 s, beyond SQS's 12 h visibility ceiling/,
    );
  });

  it("a definition must stay within Step Functions' 1 MB", () => {
    const broken = transferDefinition((asl) => {
      asl.Comment = "x".repeat(1024 * 1024);
    });
    breaking(
      l1<CfnStateMachine>(stack.pipeline.transfer),
      "definitionString",
      broken,
      /over Step Functions' 1 MB/,
    );
  });

  it("an execution's history must stay within 25,000 events (the extraction loop at its deepest)", () => {
    const broken = transferDefinition((asl) => {
      // A retry policy that, used up on every pass of the extraction loop, would overflow the history.
      (asl.States.assign_file_uuids!.Retry as Array<{ MaxAttempts: number }>)[0]!.MaxAttempts = 500;
    });
    breaking(
      l1<CfnStateMachine>(stack.pipeline.transfer),
      "definitionString",
      broken,
      /transfer: an execution may write about \d+ history events, over Step Functions' 25000/,
    );
  });
});
