import type { TaskStore } from "../core/store/task-store.ts";

/** Units never change parents: remember each unit's transfer for the life of the process (bounded). */
const transferOfUnit = new Map<string, string>();
const MAX_REMEMBERED = 10_000;

/**
 * The transfer a unit belongs to (itself for a transfer, its parent for a SIP), so every log line of
 * both workflows carries the transfer id a person searches for. Null when the unit is unknown.
 */
export async function transferIdOf(
  store: Pick<TaskStore, "getUnit">,
  unitId: string,
): Promise<string | null> {
  const known = transferOfUnit.get(unitId);
  if (known) return known;
  const unit = await store.getUnit(unitId);
  if (!unit) return null;
  const transferId = unit.type === "transfer" ? unit.id : (unit.parentId ?? unit.id);
  if (transferOfUnit.size >= MAX_REMEMBERED) transferOfUnit.clear();
  transferOfUnit.set(unitId, transferId);
  return transferId;
}
