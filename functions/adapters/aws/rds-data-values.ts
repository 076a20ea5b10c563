import type { ColumnMetadata, Field, SqlParameter } from "@aws-sdk/client-rds-data";
import type { SqlValue } from "../../ports/sql.ts";

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * The port's positional `$1..$n` become the Data API's named `:p1..:pn`. Quoted literals and quoted
 * identifiers are copied untouched so a `$1` inside them stays text.
 *
 * A string parameter reaches Aurora as varchar, which PostgreSQL will not compare with or assign to a
 * uuid column (`pg` sends it untyped, so the same SQL works there). A UUID-shaped string is therefore
 * written into the SQL as a quoted literal — an untyped constant, resolved by its context exactly like
 * `pg`'s parameters; the pattern admits only hex digits and dashes, so nothing can be injected.
 */
export function toStatement(text: string, params: SqlValue[]): { sql: string; parameters: SqlParameter[] } {
  const inline = (index: number) => {
    const value = params[index];
    return typeof value === "string" && UUID.test(value) ? `'${value}'` : null;
  };
  let sql = "";
  const used = new Set<number>();
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (ch === "'" || ch === '"') {
      const end = text.indexOf(ch, i + 1);
      const stop = end === -1 ? text.length : end + 1;
      sql += text.slice(i, stop);
      i = stop - 1;
      continue;
    }
    const match = ch === "$" ? /^\$(\d+)/.exec(text.slice(i)) : null;
    if (match) {
      const index = Number(match[1]) - 1;
      if (index < 0 || index >= params.length)
        throw new Error(`SQL refers to $${index + 1} but ${params.length} parameter(s) were given`);
      const literal = inline(index);
      if (literal === null) used.add(index);
      sql += literal ?? `:p${index + 1}`;
      i += match[0].length - 1;
      continue;
    }
    sql += ch;
  }
  const parameters = [...used].sort((a, b) => a - b).map((index) => toSqlParameter(params[index], index));
  return { sql, parameters };
}

/**
 * On Aurora PostgreSQL a stringValue reaches the server as varchar, so SQL comparing a (non-UUID)
 * string parameter with a timestamptz / jsonb column casts it (`$1::jsonb`). Dates travel as TIMESTAMP
 * in UTC (the cluster's TimeZone must stay UTC, Aurora's default); arrays and objects as JSON.
 */
export function toSqlParameter(value: SqlValue | undefined, index: number): SqlParameter {
  const name = `p${index + 1}`;
  if (value === null || value === undefined) return { name, value: { isNull: true } };
  if (typeof value === "string") return { name, value: { stringValue: value } };
  if (typeof value === "boolean") return { name, value: { booleanValue: value } };
  if (typeof value === "number") {
    if (!Number.isFinite(value))
      throw new Error(`SQL parameter $${index + 1}: ${value} is not a finite number`);
    return Number.isSafeInteger(value)
      ? { name, value: { longValue: value } }
      : { name, value: { doubleValue: value } };
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new Error(`SQL parameter $${index + 1}: invalid Date`);
    return {
      name,
      typeHint: "TIMESTAMP",
      value: { stringValue: value.toISOString().replace("T", " ").replace("Z", "") },
    };
  }
  return { name, typeHint: "JSON", value: { stringValue: JSON.stringify(value) } };
}

/** Maps one Data API field back to what `pg` would give for the column's type. */
export function fromField(field: Field, column: ColumnMetadata | undefined): unknown {
  if (field.isNull) return null;
  const typeName = (column?.typeName ?? "").toLowerCase();
  if (field.stringValue !== undefined) return fromString(field.stringValue, typeName, column?.name);
  if (field.longValue !== undefined) return field.longValue;
  if (field.doubleValue !== undefined) return field.doubleValue;
  if (field.booleanValue !== undefined) return field.booleanValue;
  if (field.blobValue !== undefined) return Buffer.from(field.blobValue);
  if (field.arrayValue !== undefined) return fromArray(field.arrayValue);
  return null;
}

function fromString(text: string, typeName: string, columnName: string | undefined): unknown {
  switch (typeName) {
    case "timestamptz":
    case "timestamp":
      return new Date(`${text.replace(" ", "T")}${/[zZ]|[+-]\d\d(:?\d\d)?$/.test(text) ? "" : "Z"}`);
    case "json":
    case "jsonb":
      return JSON.parse(text);
    case "int8":
    case "bigint":
    case "bigserial": {
      // longs are asked for as strings so that none is silently rounded by JSON parsing
      const n = Number(text);
      if (!Number.isSafeInteger(n)) {
        throw new Error(
          `SQL column ${columnName ?? "?"}: bigint ${text} exceeds 2^53; cast it to text in the SQL`,
        );
      }
      return n;
    }
    default:
      return text;
  }
}

type ArrayValue = NonNullable<Field["arrayValue"]>;
function fromArray(array: ArrayValue): unknown[] {
  return (
    array.stringValues ??
    array.longValues ??
    array.doubleValues ??
    array.booleanValues ??
    array.arrayValues?.map((inner) => (inner ? fromArray(inner) : null)) ??
    []
  );
}

export function rowsFrom(
  records: Field[][] | undefined,
  columns: ColumnMetadata[] | undefined,
): Record<string, unknown>[] {
  if (!records) return [];
  return records.map((record) => {
    const row: Record<string, unknown> = {};
    record.forEach((field, index) => {
      const column = columns?.[index];
      row[column?.label || column?.name || `column${index + 1}`] = fromField(field, column);
    });
    return row;
  });
}
