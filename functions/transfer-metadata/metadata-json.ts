/**
 * metadata/metadata.json, the JSON form of metadata.csv (Archivematica 1.x): a list of objects, each
 * with "filename" and Dublin Core keys ("dc.title", "dcterms.isPartOf"…), values a string or a list.
 */
import type { DublinCoreEntry } from "../mets/index.ts";
import { TransferMetadataError } from "./errors.ts";
import { parseJsonList } from "./json-list.ts";
import type { TargetResolver } from "./targets.ts";

export function dublinCoreFromJson(text: string, where: string, resolve: TargetResolver): DublinCoreEntry[] {
  return parseJsonList(text, where).map((item, index) => {
    const at = `${where} item ${index + 1}`;
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      throw new TransferMetadataError(`${at}: expected an object with "filename"`);
    }
    const record = item as Record<string, unknown>;
    if (typeof record.filename !== "string") throw new TransferMetadataError(`${at}: "filename" is missing`);
    const fields: Record<string, string[]> = {};
    for (const [key, value] of Object.entries(record)) {
      if (key === "filename") continue;
      const values = Array.isArray(value) ? value : [value];
      if (values.some((v) => typeof v !== "string" && typeof v !== "number")) {
        throw new TransferMetadataError(`${at}: "${key}" must be a string or a list of strings`);
      }
      const kept = values.map((v) => String(v).trim()).filter((v) => v !== "");
      if (kept.length > 0) fields[key] = kept;
    }
    return { target: resolve(record.filename, at), fields };
  });
}
