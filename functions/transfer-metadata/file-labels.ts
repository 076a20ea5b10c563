/** metadata/file_labels.csv: `filename,label` rows; each label goes on that file's (or folder's) structMap div. */
import { parseCsv } from "../tasks/metadata-csv.ts";
import { TransferMetadataError } from "./errors.ts";
import type { TargetResolver } from "./targets.ts";

export function labelsFromCsv(
  text: string,
  where: string,
  resolve: TargetResolver,
): Array<{ target: string; label: string }> {
  const rows = parseCsv(text, where);
  const header = (rows[0] ?? []).map((name) => name.trim().toLowerCase());
  const file = header.indexOf("filename");
  const label = header.indexOf("label");
  if (file < 0 || label < 0) {
    throw new TransferMetadataError(`${where} line 1: the columns "filename" and "label" are required`);
  }
  return rows
    .slice(1)
    .map((row, index) => ({ row, at: `${where} line ${index + 2}` }))
    .filter(({ row }) => (row[label] ?? "").trim() !== "")
    .map(({ row, at }) => ({ target: resolve(row[file] ?? "", at), label: row[label]!.trim() }));
}
