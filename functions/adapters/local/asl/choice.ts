import { get, isPresent, StatesRuntimeError } from "./jsonpath.ts";

type Rule = Record<string, unknown>;

/** Evaluates one Choice rule (the comparison operators our compiler emits, plus the usual logic). */
export function matches(rule: Rule, input: unknown, context: unknown): boolean {
  if (Array.isArray(rule.And)) return (rule.And as Rule[]).every((r) => matches(r, input, context));
  if (Array.isArray(rule.Or)) return (rule.Or as Rule[]).some((r) => matches(r, input, context));
  if (rule.Not) return !matches(rule.Not as Rule, input, context);
  const variable = rule.Variable;
  if (typeof variable !== "string")
    throw new StatesRuntimeError("States.Runtime", "Choice rule without Variable");
  if ("IsPresent" in rule) return isPresent(variable, input, context) === rule.IsPresent;
  const value = get(variable, input, context);
  if ("IsNull" in rule) return (value === null) === rule.IsNull;
  if ("StringEquals" in rule) return value === rule.StringEquals;
  if ("BooleanEquals" in rule) return value === rule.BooleanEquals;
  if ("NumericEquals" in rule) return typeof value === "number" && value === rule.NumericEquals;
  if ("NumericGreaterThan" in rule)
    return typeof value === "number" && value > (rule.NumericGreaterThan as number);
  if ("NumericLessThan" in rule) return typeof value === "number" && value < (rule.NumericLessThan as number);
  if ("NumericGreaterThanEquals" in rule) {
    return typeof value === "number" && value >= (rule.NumericGreaterThanEquals as number);
  }
  throw new StatesRuntimeError("States.Runtime", `unsupported Choice rule ${JSON.stringify(rule)}`);
}

export function chooseNext(state: Rule, input: unknown, context: unknown): string {
  for (const choice of (state.Choices as Rule[]) ?? []) {
    if (matches(choice, input, context)) return String(choice.Next);
  }
  if (typeof state.Default === "string") return state.Default;
  throw new StatesRuntimeError("States.NoChoiceMatched", "no Choice rule matched and there is no Default");
}
