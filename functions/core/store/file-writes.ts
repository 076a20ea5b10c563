import type { SqlValue } from "../../ports/sql.ts";
import type { EventRecord, FileRecord } from "../model.ts";
import { newFileRecord } from "../model.ts";
import { eventToJson, fileToJson } from "./rows.ts";

/** The files table's columns and types, in its order (jsonb_to_recordset names each with its type). */
const FILE_COLUMN_TYPES = {
  id: "uuid",
  unit_id: "uuid",
  path: "text",
  original_path: "text",
  size: "bigint",
  sha256: "text",
  file_group: "text",
  puid: "text",
  format_name: "text",
  format_version: "text",
  mime: "text",
  derived_from: "uuid",
  removed: "boolean",
  created_at: "timestamptz",
  characteristics: "jsonb",
} as const;
type FileColumn = keyof typeof FILE_COLUMN_TYPES;
const ALL_FILE_COLUMNS = Object.keys(FILE_COLUMN_TYPES) as FileColumn[];

/** `name type, …` of these columns, for jsonb_to_recordset(...) as x(…) over a table's type map. */
function recordset<Column extends string>(types: Record<Column, string>, columns: readonly Column[]): string {
  return columns.map((column) => `${column} ${types[column]}`).join(", ");
}

/** Every column of files, for jsonb_to_recordset(...) as f(FILE_COLUMNS). */
export const FILE_COLUMNS = recordset(FILE_COLUMN_TYPES, ALL_FILE_COLUMNS);

/** The events table's columns and types, in its order. */
const EVENT_COLUMN_TYPES = {
  id: "uuid",
  unit_id: "uuid",
  file_id: "uuid",
  task_id: "uuid",
  type: "text",
  date_time: "timestamptz",
  detail: "text",
  outcome: "text",
  outcome_detail: "text",
  agents: "jsonb",
} as const;
type EventColumn = keyof typeof EVENT_COLUMN_TYPES;
const ALL_EVENT_COLUMNS = Object.keys(EVENT_COLUMN_TYPES) as EventColumn[];

/**
 * `(columns) select … from …` for `insert into events`: these events as rows of one JSON parameter,
 * but a column whose value every event shares (a task's events have one unit, task, type, detail,
 * outcome and agents) is sent once, in a second parameter, and joined to every row. Most of an
 * event is such text; parsing it once per event was most of what the database spent inserting
 * them (10,240 events in PGlite: 341–511 ms as whole rows, 229–325 ms with the shared columns
 * once). `param` names a parameter for a value (\$n). Callers may add a where clause.
 */
export function eventInsertSelect(
  events: readonly EventRecord[],
  param: (value: SqlValue) => string,
): string {
  const rows = events.map(eventToJson);
  const first = rows[0];
  const shared = ALL_EVENT_COLUMNS.filter(
    (column) =>
      first !== undefined && column !== "id" && rows.every((row) => sameValue(row[column], first[column])),
  );
  const own = ALL_EVENT_COLUMNS.filter((column) => !shared.includes(column));
  const perRow = rows.map((row) => Object.fromEntries(own.map((column) => [column, row[column]])));
  const select = ALL_EVENT_COLUMNS.map((column) => (shared.includes(column) ? `s.${column}` : `e.${column}`));
  let from = `jsonb_to_recordset(${param(perRow)}::jsonb) as e(${recordset(EVENT_COLUMN_TYPES, own)})`;
  if (shared.length > 0) {
    const once = Object.fromEntries(shared.map((column) => [column, first![column]]));
    from += ` cross join jsonb_to_record(${param(once)}::jsonb) as s(${recordset(EVENT_COLUMN_TYPES, shared)})`;
  }
  return `(${ALL_EVENT_COLUMNS.join(", ")}) select ${select.join(", ")} from ${from}`;
}

function sameValue(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => x === b[i]);
  return a === b;
}

const BLANK_FILE: FileRecord = newFileRecord({
  id: "",
  unitId: "",
  path: "",
  originalPath: "",
  size: 0,
  createdAt: new Date(0),
});

const COLUMN_TO_KEY: Partial<Record<FileColumn, keyof FileRecord>> = {
  unit_id: "unitId",
  original_path: "originalPath",
  file_group: "group",
  format_name: "formatName",
  format_version: "formatVersion",
  derived_from: "derivedFrom",
  created_at: "createdAt",
};

export type FileUpdate = Partial<FileRecord> & { id: string };

/**
 * The parts of `update files f set ASSIGNMENTS from jsonb_to_recordset($n::jsonb) as u(RECORDSET)
 * where f.id = u.id` for these partial updates: only the columns some update names are parsed and
 * assigned. A task sets one or two columns (a checksum, a format); parsing and rewriting all fifteen
 * for every file was most of what the database spent on a task's result. A field absent (undefined)
 * in an update keeps its stored value; characteristics merge into what the file has (jsonb ||), so
 * one tool's output leaves another's. `assignments` is empty when no update names a column.
 */
export function fileUpdateParts(updates: FileUpdate[]) {
  const named = new Set<FileColumn>();
  const rows = updates.map((update) => {
    const full = fileToJson({ ...BLANK_FILE, ...update } as FileRecord);
    const row: Record<string, unknown> = { id: update.id };
    for (const column of ALL_FILE_COLUMNS) {
      if (column === "id" || !((COLUMN_TO_KEY[column] ?? column) in update)) continue;
      row[column] = full[column];
      named.add(column);
    }
    return row;
  });
  const columns = ALL_FILE_COLUMNS.filter((c) => named.has(c));
  const assignments = columns
    .map((column) =>
      column === "characteristics"
        ? `characteristics = case when u.characteristics is null then f.characteristics
             else coalesce(f.characteristics, '{}'::jsonb) || u.characteristics end`
        : `${column} = coalesce(u.${column}, f.${column})`,
    )
    .join(", ");
  return { rows, recordset: recordset(FILE_COLUMN_TYPES, ["id", ...columns]), assignments };
}
