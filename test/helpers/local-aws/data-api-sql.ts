/**
 * The SQL side of the Data API shim: named parameters typed the way the Data API types them on Aurora
 * PostgreSQL, and PostgreSQL results turned into Data API records and column metadata.
 */
import pg from "pg";

export class DataApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

interface WireField {
  isNull?: boolean;
  stringValue?: string;
  longValue?: number;
  doubleValue?: number;
  booleanValue?: boolean;
  blobValue?: string;
  arrayValue?: unknown;
}
export interface WireParameter {
  name?: string;
  typeHint?: string;
  value?: WireField;
}

/** How the Data API sends each kind of value: a string is varchar unless a typeHint says otherwise. */
const HINT_CASTS: Record<string, string> = {
  TIMESTAMP: "timestamp",
  JSON: "json",
  UUID: "uuid",
  DATE: "date",
  TIME: "time",
  DECIMAL: "numeric",
};

export function bindNamed(sql: string, parameters: WireParameter[]): { text: string; values: unknown[] } {
  const byName = new Map(parameters.map((p) => [p.name ?? "", p]));
  const values: unknown[] = [];
  const slots = new Map<string, string>();
  let text = "";
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i]!;
    if (ch === "'" || ch === '"') {
      const end = sql.indexOf(ch, i + 1);
      const stop = end === -1 ? sql.length : end + 1;
      text += sql.slice(i, stop);
      i = stop - 1;
      continue;
    }
    if (ch === ":" && sql[i + 1] === ":") {
      text += "::";
      i++;
      continue;
    }
    const match = ch === ":" ? /^:([A-Za-z_][A-Za-z0-9_]*)/.exec(sql.slice(i)) : null;
    if (!match) {
      text += ch;
      continue;
    }
    const name = match[1]!;
    let slot = slots.get(name);
    if (!slot) {
      const parameter = byName.get(name);
      if (!parameter?.value)
        throw new DataApiError("BadRequestException", `No value specified for parameter: ${name}`);
      values.push(wireValue(parameter.value));
      slot = `$${values.length}${castFor(parameter)}`;
      slots.set(name, slot);
    }
    text += slot;
    i += match[0].length - 1;
  }
  return { text, values };
}

function castFor(parameter: WireParameter): string {
  const value = parameter.value!;
  if (value.arrayValue !== undefined)
    throw new DataApiError("BadRequestException", "Array parameters are not supported.");
  if (value.isNull) return "";
  if (value.stringValue !== undefined) return `::${HINT_CASTS[parameter.typeHint ?? ""] ?? "varchar"}`;
  if (value.longValue !== undefined) return "::int8";
  if (value.doubleValue !== undefined) return "::float8";
  if (value.booleanValue !== undefined) return "::bool";
  if (value.blobValue !== undefined) return "::bytea";
  throw new DataApiError("BadRequestException", "Unsupported parameter value");
}

function wireValue(value: WireField): unknown {
  if (value.isNull) return null;
  if (value.blobValue !== undefined) return Buffer.from(value.blobValue, "base64");
  return value.stringValue ?? value.longValue ?? value.doubleValue ?? value.booleanValue ?? null;
}

const raw = { getTypeParser: () => (text: string) => text } as unknown as pg.CustomTypesConfig;

export interface ResultOptions {
  longReturnType?: string;
  decimalReturnType?: string;
}

/** Runs the bound statement and answers as ExecuteStatement does (records + columnMetadata). */
export async function execute(
  runner: pg.Pool | pg.PoolClient,
  typeNames: Map<number, string>,
  bound: { text: string; values: unknown[] },
  options: { includeResultMetadata?: boolean; resultSetOptions?: ResultOptions },
): Promise<Record<string, unknown>> {
  const result = await runner.query({ text: bound.text, values: bound.values, rowMode: "array", types: raw });
  if (!result.fields || result.fields.length === 0) {
    return { numberOfRecordsUpdated: result.rowCount ?? 0, generatedFields: [] };
  }
  const typeOf = (oid: number) => typeNames.get(oid) ?? "unknown";
  const records = (result.rows as (string | null)[][]).map((row) =>
    row.map((cell, index) =>
      toField(cell, result.fields[index]!.dataTypeID, typeOf, options.resultSetOptions ?? {}),
    ),
  );
  const response: Record<string, unknown> = { records, numberOfRecordsUpdated: 0 };
  if (options.includeResultMetadata) {
    response.columnMetadata = result.fields.map((field) => ({
      name: field.name,
      label: field.name,
      typeName: typeOf(field.dataTypeID),
      type: 12,
      nullable: 2,
    }));
  }
  return response;
}

function toField(
  cell: string | null,
  oid: number,
  typeOf: (oid: number) => string,
  options: ResultOptions,
): WireField {
  if (cell === null) return { isNull: true };
  const type = typeOf(oid);
  if (type.startsWith("_")) return { arrayValue: toArrayValue(pg.types.getTypeParser(oid, "text")(cell)) };
  switch (type) {
    case "bool":
      return { booleanValue: cell === "t" };
    case "int2":
    case "int4":
      return { longValue: Number(cell) };
    case "int8":
      return options.longReturnType === "STRING" ? { stringValue: cell } : { longValue: Number(cell) };
    case "float4":
    case "float8":
      return { doubleValue: Number(cell) };
    case "numeric":
      return options.decimalReturnType === "DOUBLE_OR_LONG"
        ? { doubleValue: Number(cell) }
        : { stringValue: cell };
    case "timestamptz":
      return { stringValue: cell.replace(/\+00(:00)?$/, "") }; // the session is UTC, as on Aurora
    case "bytea":
      return { blobValue: Buffer.from(cell.slice(2), "hex").toString("base64") };
    default:
      return { stringValue: cell };
  }
}

function toArrayValue(values: unknown): Record<string, unknown> {
  const list = values as unknown[];
  if (list.some((v) => Array.isArray(v))) return { arrayValues: list.map(toArrayValue) };
  if (list.every((v) => typeof v === "number")) return { longValues: list };
  if (list.every((v) => typeof v === "boolean")) return { booleanValues: list };
  return { stringValues: list.map(String) };
}
