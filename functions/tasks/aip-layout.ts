import path from "node:path";
import type { ProcessingConfig } from "../../workflows/processing-config.ts";
import type { UnitRecord } from "../core/model.ts";
import { unitFolderName } from "./rename-with-unit-uuid.ts";

/** The AIP's bag folder name, Archivematica's `<name>-<AIP uuid>` (the AIP uuid is the SIP's). */
export const aipName = (unit: Pick<UnitRecord, "name" | "id">) => unitFolderName(unit.name, unit.id);

/** Working-storage path of the bag folder, relative to the working root. */
export const bagWorkingPath = (unit: Pick<UnitRecord, "name" | "id">) => `aips/${aipName(unit)}`;

/** File extension of a compressed AIP, or null when the AIP stays a folder. */
export function compressedExtension(
  compression: ProcessingConfig["aip_compression"],
): Exclude<ProcessingConfig["aip_compression"], "none" | "ask"> | null {
  // "ask" is replaced by the operator's answer before any job reads it; reaching here with it is a bug.
  if (compression === "ask") throw new Error("aip_compression is still unanswered (ask)");
  return compression === "none" ? null : compression;
}

export const absolute = (workRoot: string, rel: string) => path.join(workRoot, ...rel.split("/"));
