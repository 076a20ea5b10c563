import { createHash } from "node:crypto";

/** A UUID-shaped id derived from the unit and a key, so a rerun writes the same METS. */
export function derivedUuid(unitId: string, key: string): string {
  const hex = createHash("sha256").update(`${unitId} ${key}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
