import { readFile } from "node:fs/promises";
import { type DublinCoreEntry, qualifiedName } from "../mets/index.ts";

export class MetadataCsvError extends Error {
  override name = "MetadataCsvError";
}

/** Rows of an RFC 4180 CSV (quoted fields, "" escapes, commas and newlines inside quotes; CRLF or LF). */
export function parseCsv(text: string, where: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else {
        if (c === "\n") line += 1;
        field += c;
      }
    } else if (c === '"') {
      if (field !== "") throw new MetadataCsvError(`${where} line ${line}: a quote inside an unquoted field`);
      quoted = true;
    } else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      line += 1;
    } else field += c;
  }
  if (quoted) throw new MetadataCsvError(`${where}: a quoted field is not closed before the end of the file`);
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => !(r.length === 1 && r[0] === ""));
}

/**
 * Archivematica's metadata/metadata.csv: first column `filename` (`objects`, `objects/` or
 * `objects/<path>`), then Dublin Core columns `dc.<element>` or `dcterms.<term>`; a column name
 * repeated gives several values. Any other column is kept too (it goes to an OTHER dmdSec, as in
 * Archivematica); `other` names those columns so the run can say so.
 */
export function dublinCoreFromCsv(
  text: string,
  where: string,
): { entries: DublinCoreEntry[]; other: string[] } {
  const rows = parseCsv(text, where);
  const header = rows[0];
  if (!header) return { entries: [], other: [] };
  if (header[0]?.trim().toLowerCase() !== "filename") {
    throw new MetadataCsvError(
      `${where} line 1: the first column must be "filename", found ${JSON.stringify(header[0] ?? "")}`,
    );
  }
  const columns = header.map((name) => name.trim());
  const other = [...new Set(columns.slice(1).filter((c) => c !== "" && qualifiedName(c) === null))];
  const seen = new Set<string>();
  const entries: DublinCoreEntry[] = [];
  rows.slice(1).forEach((row, index) => {
    const line = index + 2;
    if (row.length > columns.length) {
      throw new MetadataCsvError(
        `${where} line ${line}: ${row.length} fields, the header has ${columns.length}`,
      );
    }
    const target = metadataTarget(row[0] ?? "", `${where} line ${line}`);
    if (seen.has(target)) throw new MetadataCsvError(`${where} line ${line}: ${target} is described twice`);
    seen.add(target);
    const fields: Record<string, string[]> = {};
    columns.forEach((name, c) => {
      const value = (row[c] ?? "").trim();
      if (c === 0 || name === "" || value === "") return;
      fields[name] = [...(fields[name] ?? []), value];
    });
    if (Object.keys(fields).length > 0) entries.push({ target, fields });
  });
  return { entries, other };
}

/** A `filename` value: "objects", "objects/" or "objects/<path>" (trailing slashes dropped). */
export function metadataTarget(filename: string, where: string): string {
  const target = filename.trim().replace(/\/+$/, "");
  if (target !== "objects" && !target.startsWith("objects/")) {
    throw new MetadataCsvError(
      `${where}: filename ${JSON.stringify(filename)} is not "objects" or under objects/`,
    );
  }
  return target;
}

/** Reads the unit's metadata.csv if it has one (transfer: metadata/, SIP: objects/metadata/). */
export async function readMetadataCsv(
  absolute: string,
  where: string,
): Promise<{ entries: DublinCoreEntry[]; other: string[] } | null> {
  let text: string;
  try {
    text = await readFile(absolute, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
  return dublinCoreFromCsv(text, where);
}
