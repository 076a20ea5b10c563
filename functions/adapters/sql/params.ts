import type { SqlValue } from "../../ports/sql.ts";

/** The port's parameter convention for drivers that take text: Dates as ISO text, arrays and objects as JSON. */
export function toDriverParam(value: SqlValue): unknown {
  if (value instanceof Date) return value.toISOString();
  if (value !== null && typeof value === "object") return JSON.stringify(value);
  return value;
}
