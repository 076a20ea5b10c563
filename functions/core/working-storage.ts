import path from "node:path";
import type { UnitRecord } from "./model.ts";

/** A unit's folder on this machine: working paths are stored relative to the working root. */
export function unitPathOf(workRoot: string, unit: Pick<UnitRecord, "workingPath">): string {
  const resolved = path.resolve(workRoot, unit.workingPath);
  if (resolved !== workRoot && !resolved.startsWith(workRoot + path.sep)) {
    throw new Error(`unit working path "${unit.workingPath}" leaves the working root`);
  }
  return resolved;
}

/** A file name safe to use as a folder name for a unit: keeps letters, digits, dot, dash, underscore. */
export function safeUnitName(name: string): string {
  const cleaned = name
    .normalize("NFC")
    .replace(/[^\p{L}\p{N}._-]+/gu, "_")
    .replace(/^[._-]+/, "")
    .slice(0, 80);
  return cleaned || "transfer";
}
