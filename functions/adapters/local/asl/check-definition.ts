/**
 * What the local engine checks before it runs a definition: the States Language rules it depends on
 * (every transition leads to a state, a terminal state exists, HeartbeatSeconds < TimeoutSeconds,
 * States.ALL alone and last) and the fields it implements. A field it does not implement (OutputPath,
 * ResultSelector, Pass Parameters, Task InputPath, …) is refused at load with the state's name, rather
 * than silently dropped: dropped, the definition would run differently here than on Step Functions.
 */

export class AslDefinitionError extends Error {
  override name = "Stepmatica.AslDefinitionError";
}

type State = Record<string, unknown>;

const COMMON = ["Type", "Comment"];
/** The fields the engine implements, per state type. */
const IMPLEMENTED: Record<string, string[]> = {
  Pass: [...COMMON, "InputPath", "Result", "ResultPath", "Next", "End"],
  Task: [
    ...COMMON,
    "Resource",
    "Parameters",
    "ResultPath",
    "TimeoutSeconds",
    "HeartbeatSeconds",
    "Retry",
    "Catch",
    "Next",
    "End",
  ],
  Choice: [...COMMON, "Choices", "Default"],
  Succeed: [...COMMON],
  Fail: [...COMMON, "Error", "Cause", "ErrorPath", "CausePath"],
};
const TOP_LEVEL = ["Comment", "StartAt", "States"];
const RETRIER = ["ErrorEquals", "IntervalSeconds", "MaxAttempts", "BackoffRate"];
const CATCHER = ["ErrorEquals", "ResultPath", "Next"];

function unimplemented(fields: object, allowed: string[]): string[] {
  return Object.keys(fields).filter((key) => !allowed.includes(key));
}

function checkErrorEquals(where: string, list: unknown, problems: string[], last: boolean): void {
  if (!Array.isArray(list) || list.length === 0 || !list.every((e) => typeof e === "string")) {
    problems.push(`${where}: ErrorEquals must be a non-empty list of error names`);
    return;
  }
  if (list.includes("States.ALL") && (list.length > 1 || !last)) {
    problems.push(`${where}: States.ALL must appear alone, in the last entry`);
  }
}

function checkTask(name: string, state: State, problems: string[]): void {
  const timeout = state.TimeoutSeconds;
  const heartbeat = state.HeartbeatSeconds;
  for (const [field, value] of [
    ["TimeoutSeconds", timeout],
    ["HeartbeatSeconds", heartbeat],
  ] as const) {
    if (value !== undefined && !(Number.isInteger(value) && (value as number) > 0)) {
      problems.push(`state "${name}": ${field} must be a positive whole number`);
    }
  }
  if (typeof timeout === "number" && typeof heartbeat === "number" && heartbeat >= timeout) {
    problems.push(
      `state "${name}": HeartbeatSeconds (${heartbeat}) must be smaller than TimeoutSeconds (${timeout})`,
    );
  }
  if (typeof state.Resource !== "string") problems.push(`state "${name}": Task without a Resource`);
  const retry = (state.Retry ?? []) as State[];
  const caught = (state.Catch ?? []) as State[];
  retry.forEach((r, i) => {
    for (const field of unimplemented(r, RETRIER)) {
      problems.push(`state "${name}": Retry field ${field} is not implemented by the local engine`);
    }
    checkErrorEquals(`state "${name}" Retry[${i}]`, r.ErrorEquals, problems, i === retry.length - 1);
  });
  caught.forEach((c, i) => {
    for (const field of unimplemented(c, CATCHER)) {
      problems.push(`state "${name}": Catch field ${field} is not implemented by the local engine`);
    }
    checkErrorEquals(`state "${name}" Catch[${i}]`, c.ErrorEquals, problems, i === caught.length - 1);
  });
}

/** Every state a state can lead to. */
function targetsOf(state: State): unknown[] {
  const targets: unknown[] = [];
  if ("Next" in state) targets.push(state.Next);
  if ("Default" in state) targets.push(state.Default);
  for (const c of (state.Choices ?? []) as State[]) targets.push(c.Next);
  for (const c of (state.Catch ?? []) as State[]) targets.push(c.Next);
  return targets;
}

/** The problems found in a definition (empty when the local engine can run it as Step Functions would). */
export function definitionProblems(definition: unknown): string[] {
  if (definition === null || typeof definition !== "object") return ["the definition is not an object"];
  const top = definition as State;
  const problems = unimplemented(top, TOP_LEVEL).map(
    (field) => `top-level field ${field} is not implemented by the local engine`,
  );
  const states = (top.States ?? {}) as Record<string, State>;
  if (typeof top.StartAt !== "string" || !(top.StartAt in states)) {
    problems.push(`StartAt "${String(top.StartAt)}" is not a state`);
  }
  let terminal = false;
  for (const [name, state] of Object.entries(states)) {
    const allowed = IMPLEMENTED[String(state.Type)];
    if (!allowed) {
      problems.push(`state "${name}": type ${String(state.Type)} is not implemented by the local engine`);
      continue;
    }
    for (const field of unimplemented(state, allowed)) {
      problems.push(`state "${name}": ${state.Type} field ${field} is not implemented by the local engine`);
    }
    if (state.Type === "Task") checkTask(name, state, problems);
    const ends = state.Type === "Succeed" || state.Type === "Fail" || state.End === true;
    terminal ||= ends;
    if (!ends && state.Type !== "Choice" && typeof state.Next !== "string") {
      problems.push(`state "${name}": neither Next nor End`);
    }
    for (const target of targetsOf(state)) {
      if (typeof target !== "string" || !(target in states)) {
        problems.push(`state "${name}": leads to "${String(target)}", which is not a state`);
      }
    }
  }
  if (!terminal) problems.push("no terminal state (Succeed, Fail or End)");
  return problems;
}

/** Throws an AslDefinitionError naming the workflow and every problem. */
export function checkDefinition(workflow: string, definition: unknown): void {
  const problems = definitionProblems(definition);
  if (problems.length > 0) {
    throw new AslDefinitionError(
      `the ${workflow} state machine cannot run on the local engine:\n  ${problems.join("\n  ")}`,
    );
  }
}
