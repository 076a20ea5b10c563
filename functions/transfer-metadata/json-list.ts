import { TransferMetadataError } from "./errors.ts";

/** A metadata JSON file that must hold a list (metadata.json, identifiers.json); a BOM is allowed. */
export function parseJsonList(text: string, where: string): unknown[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ""));
  } catch (error) {
    throw new TransferMetadataError(`${where}: not JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(parsed)) throw new TransferMetadataError(`${where}: expected a list of objects`);
  return parsed;
}
