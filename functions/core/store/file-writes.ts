import type { FileRecord } from "../model.ts";
import { newFileRecord } from "../model.ts";
import { fileToJson } from "./rows.ts";

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

const recordset = (columns: readonly FileColumn[]) =>
  columns.map((column) => `${column} ${FILE_COLUMN_TYPES[column]}`).join(", ");

/** Every column of files, for jsonb_to_recordset(...) as f(FILE_COLUMNS). */
export const FILE_COLUMNS = recordset(ALL_FILE_COLUMNS);

export const EVENT_COLUMNS = `id uuid, unit_id uuid, file_id uuid, task_id uuid, type text, date_time timestamptz,
  detail text, outcome text, outcome_detail text, agents jsonb`;

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
  return { rows, recordset: recordset(["id", ...columns]), assignments };
}
