import { describe, expect, it } from "vitest";
import { HEAVY_TASK_MODULES } from "../../../functions/tasks/heavy.ts";
import { TASK_MODULES } from "../../../functions/tasks/index.ts";
import { LIGHT_TASK_MODULES } from "../../../functions/tasks/light.ts";
import {
  AWAIT_DECISION_JOB,
  compileWorkflow,
  DISPATCH_RETRY_ERROR,
  RECORD_FAILURE_STATE,
  START_INGEST_STATE,
} from "../../../workflows/compile.ts";
import { QUEUED_HEARTBEAT_INTERVAL_SECONDS } from "../../../workflows/heartbeats.ts";
import { compiled, jobsOf, WORKFLOWS } from "../../../workflows/index.ts";
import { type Workflow, WorkflowSchema } from "../../../workflows/schema.ts";
import { checkGraph } from "../../../workflows/validate.ts";

const job = (id: string, next: string, extra: Record<string, unknown> = {}) => ({
  kind: "job" as const,
  id,
  microservice: "M",
  description: id,
  module: "noop",
  scope: "unit" as const,
  queue: "light" as const,
  timeoutSeconds: 60,
  heartbeatSeconds: 30,
  next,
  ...extra,
});
const workflowOf = (nodes: unknown[], startAt = "a"): Workflow =>
  WorkflowSchema.parse({ name: "transfer", comment: "test", startAt, nodes });

describe("the declared workflows", () => {
  it("the light and heavy registries hold exactly the modules of the jobs on each queue", () => {
    const byQueue = { light: new Set<string>(), heavy: new Set<string>() };
    for (const name of ["transfer", "ingest"] as const)
      for (const decl of jobsOf(name).values())
        if (decl.id !== AWAIT_DECISION_JOB.id) byQueue[decl.queue].add(decl.module);
    expect([...LIGHT_TASK_MODULES.keys()].sort()).toEqual([...byQueue.light].sort());
    expect([...HEAVY_TASK_MODULES.keys()].sort()).toEqual([...byQueue.heavy].sort());
  });

  for (const name of ["transfer", "ingest"] as const) {
    it(`${name}: the graph is sound (reachable, every outcome leads somewhere, no accidental cycle)`, () => {
      expect(checkGraph(WORKFLOWS[name])).toEqual([]);
    });

    it(`${name}: every job's task module exists (no job without its module)`, () => {
      for (const decl of jobsOf(name).values()) {
        if (decl.id === AWAIT_DECISION_JOB.id) continue; // no tasks: the dispatcher records the decision
        expect(TASK_MODULES.has(decl.module), decl.module).toBe(true);
      }
    });

    it(`${name}: compiles to one Task state per job, each with a timeout, a heartbeat and a failure path`, () => {
      const asl = compiled(name);
      const jobs = [...jobsOf(name).keys()].filter((id) => id !== AWAIT_DECISION_JOB.id);
      const tasks = Object.entries(asl.States).filter(
        ([, s]) => s.Type === "Task" && s.Resource === "arn:aws:states:::lambda:invoke.waitForTaskToken",
      );
      const asks = tasks.filter(([n]) => n.endsWith("__ask"));
      expect(
        tasks
          .filter(([n]) => !n.endsWith("__ask"))
          .map(([n]) => n)
          .sort(),
      ).toEqual(jobs.sort());
      // Every decision on a configuration key can ask an operator instead.
      const configDecisions = WORKFLOWS[name].nodes.filter(
        (n) => n.kind === "decision" && n.on.startsWith("config."),
      );
      expect(asks.map(([n]) => n).sort()).toEqual(configDecisions.map((n) => `${n.id}__ask`).sort());
      for (const [stateName, state] of tasks) {
        expect(state.TimeoutSeconds, stateName).toBeGreaterThan(0);
        // The States Language: HeartbeatSeconds, when given, MUST be smaller than TimeoutSeconds.
        // Only the wait for an operator has none (nothing heartbeats a person).
        // Others wait three watchdog periods at least (the watchdog heartbeats queued work); a job
        // whose timeout is shorter than that has only its timeout.
        if (stateName.endsWith("__ask")) expect(state.HeartbeatSeconds, stateName).toBeUndefined();
        else if ((state.TimeoutSeconds as number) <= 3 * QUEUED_HEARTBEAT_INTERVAL_SECONDS)
          expect(state.HeartbeatSeconds, stateName).toBeUndefined();
        else {
          expect(state.HeartbeatSeconds, stateName).toBeGreaterThanOrEqual(
            3 * QUEUED_HEARTBEAT_INTERVAL_SECONDS,
          );
          expect(state.HeartbeatSeconds, stateName).toBeLessThan(state.TimeoutSeconds as number);
        }
        // dispatch-job's error after its wait for a resuming Aurora is retried by the state.
        expect(JSON.stringify(state.Retry), stateName).toContain('"DatabaseResumingException"');
        if (!stateName.endsWith("__ask")) expect(state.ResultPath).toBe(`$.jobs.${stateName}`);
        // dispatch-job's transient failures reach Step Functions as function errors by this name.
        const retried = (state.Retry as Array<{ ErrorEquals: string[] }>).flatMap((r) => r.ErrorEquals);
        expect(retried, stateName).toContain(DISPATCH_RETRY_ERROR);
        expect(retried, stateName).toContain("Lambda.ServiceException");
        if (stateName !== RECORD_FAILURE_STATE) {
          expect(JSON.stringify(state.Catch)).toContain(RECORD_FAILURE_STATE);
        }
      }
      // Every Next / Default / Choice target names a state that exists.
      const targets = JSON.stringify(asl).match(/"(Next|Default)":"([^"]+)"/g) ?? [];
      for (const t of targets)
        expect(Object.keys(asl.States)).toContain(t.split(":")[1]!.replaceAll('"', ""));
      expect(asl.States[asl.StartAt]).toBeDefined();
    });
  }

  it("refuses to compile a job whose heartbeat is not smaller than its timeout", () => {
    const broken = workflowOf([job("a", "succeed", { timeoutSeconds: 60, heartbeatSeconds: 60 })]);
    expect(() => compileWorkflow(broken)).toThrow(
      "workflow transfer, job a: heartbeatSeconds (60) must be smaller than timeoutSeconds (60)",
    );
  });

  it("the transfer workflow ends by starting ingest on the SIP it made", () => {
    const asl = compiled("transfer");
    const start = asl.States[START_INGEST_STATE]!;
    expect(start.Resource).toBe("arn:aws:states:::states:startExecution");
    expect(JSON.stringify(start.Parameters)).toContain("${IngestStateMachineArn}");
  });

  it("no state machine holds a Map state (per-file work goes through queues)", () => {
    for (const name of ["transfer", "ingest"] as const) {
      expect(Object.values(compiled(name).States).some((s) => s.Type === "Map")).toBe(false);
    }
  });
});

describe("graph checks catch broken declarations", () => {
  it("an outcome that leads nowhere", () => {
    expect(checkGraph(workflowOf([job("a", "missing")]))).toContain('"a" leads to unknown node "missing"');
  });

  it("a node nothing leads to", () => {
    expect(checkGraph(workflowOf([job("a", "succeed"), job("orphan", "succeed")]))).toContain(
      '"orphan" is not reachable from "a"',
    );
  });

  it("a cycle that is not a deliberate loop, and one that is", () => {
    const accidental = workflowOf([
      job("a", "b"),
      job("b", "a", { branches: [{ exitCode: 179, next: "succeed" }] }),
    ]);
    expect(checkGraph(accidental).join()).toContain("cycle without a deliberate loop");
    const deliberate = workflowOf([
      job("a", "more"),
      {
        kind: "decision",
        id: "more",
        microservice: "Extract packages",
        description: "more packages?",
        on: "jobs.a.output.packages",
        choices: [{ greaterThan: 0, next: "a" }],
        default: "succeed",
        deliberateLoop: true,
      },
    ]);
    expect(checkGraph(deliberate)).toEqual([]);
  });

  it("a workflow whose end cannot be reached", () => {
    expect(checkGraph(workflowOf([job("a", "b"), job("b", "a")])).join()).toContain(
      "no path reaches the end",
    );
  });

  it("ids that are not snake_case are refused on load", () => {
    expect(() => workflowOf([job("Bad-Id", "succeed")], "Bad-Id")).toThrow(/snake_case/);
  });

  it("decisions compile to Choice states on the configuration, guarded by IsPresent", () => {
    const asl = compileWorkflow(
      workflowOf([
        {
          kind: "decision",
          id: "a",
          microservice: "Normalize",
          description: "which?",
          on: "config.normalize",
          choices: [{ equals: "none", next: "b" }],
          default: "c",
        },
        job("b", "succeed"),
        job("c", "succeed"),
      ]),
    );
    expect(asl.States.a).toMatchObject({ Type: "Choice", Default: "a__choose" });
    expect(asl.States.a__ask).toMatchObject({ Type: "Task", ResultPath: "$.decisions.a", Next: "a__answer" });
    expect(asl.States.a__answer).toMatchObject({
      InputPath: "$.decisions.a.value",
      ResultPath: "$.config.normalize",
    });
    expect(asl.States.a__choose).toMatchObject({
      Type: "Choice",
      Default: "c",
      Choices: [
        { And: [{ Variable: "$.config.normalize", IsPresent: true }, { StringEquals: "none" }], Next: "b" },
      ],
    });
  });
});
