/**
 * The JSONPath subset that Amazon States Language paths use in our definitions:
 * `$`, `$.a.b`, `$.a[0]`, and the context object `$$.X.Y`. Anything else is an error, so a
 * definition the local engine cannot run fails loudly instead of behaving differently from AWS.
 */

export class StatesRuntimeError extends Error {
  constructor(
    readonly error: string,
    readonly cause_: string,
    /** Further names a Retry or Catch may match it by (a heartbeat timeout: States.HeartbeatTimeout). */
    readonly alsoKnownAs: readonly string[] = [],
  ) {
    super(`${error}: ${cause_}`);
  }
}

function segments(path: string): string[] {
  const body = path.replace(/^\$\$?/, "");
  if (body === "") return [];
  if (!/^(\.[A-Za-z0-9_-]+|\[\d+\])+$/.test(body))
    throw new StatesRuntimeError("States.Runtime", `unsupported path ${path}`);
  return [...body.matchAll(/\.([A-Za-z0-9_-]+)|\[(\d+)\]/g)].map((m) => m[1] ?? m[2]!);
}

const MISSING = Symbol("missing");

export function lookup(path: string, input: unknown, context: unknown): unknown | typeof MISSING {
  let value: unknown = path.startsWith("$$") ? context : input;
  for (const key of segments(path)) {
    if (value === null || typeof value !== "object" || !(key in (value as object))) return MISSING;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

export function get(path: string, input: unknown, context: unknown): unknown {
  const value = lookup(path, input, context);
  if (value === MISSING) {
    throw new StatesRuntimeError("States.Runtime", `The JSONPath '${path}' could not be found in the input`);
  }
  return value;
}

export function isPresent(path: string, input: unknown, context: unknown): boolean {
  return lookup(path, input, context) !== MISSING;
}

/** ResultPath semantics: `$` replaces the input, `$.a.b` sets a field on a copy, null discards the result. */
export function setResult(input: unknown, resultPath: string | null | undefined, result: unknown): unknown {
  if (resultPath === null) return input;
  if (resultPath === undefined || resultPath === "$") return result;
  const keys = segments(resultPath);
  const root: Record<string, unknown> =
    input !== null && typeof input === "object" ? { ...(input as Record<string, unknown>) } : {};
  let node = root;
  keys.forEach((key, i) => {
    if (i === keys.length - 1) node[key] = result;
    else {
      const child = node[key];
      node[key] =
        child !== null && typeof child === "object" ? { ...(child as Record<string, unknown>) } : {};
      node = node[key] as Record<string, unknown>;
    }
  });
  return root;
}

/** Evaluates a Parameters / Result template: keys ending in `.$` take the value at their path. */
export function evaluateTemplate(template: unknown, input: unknown, context: unknown): unknown {
  if (Array.isArray(template)) return template.map((t) => evaluateTemplate(t, input, context));
  if (template === null || typeof template !== "object") return template;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(template as Record<string, unknown>)) {
    if (key.endsWith(".$")) {
      if (typeof value !== "string" || !value.startsWith("$")) {
        throw new StatesRuntimeError("States.Runtime", `unsupported expression for ${key}: ${String(value)}`);
      }
      out[key.slice(0, -2)] = get(value, input, context);
    } else out[key] = evaluateTemplate(value, input, context);
  }
  return out;
}
