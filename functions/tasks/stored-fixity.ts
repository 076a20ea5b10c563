import { mapLimit } from "../core/concurrency.ts";
import type { ObjectStore, StoredObject } from "../ports/object-store.ts";

/** Objects written and re-read at once: S3 and local disks both gain from several requests in flight. */
export const STORE_CONCURRENCY = 16;

/**
 * Compares each stored object's SHA-256 with the one expected. An object whose store hashed the
 * bytes as stored while storing them (a local folder, `storedBytesHashed`) is compared with that
 * digest; any other (S3) is read again from the store.
 */
export async function checkFixity(
  objects: ObjectStore,
  stored: readonly StoredObject[],
  expected: ReadonlyMap<string, string>,
  signal: AbortSignal,
): Promise<{ mismatches: string[]; readBack: number; reRead: number }> {
  const mismatches: string[] = [];
  let readBack = 0;
  const toReRead: StoredObject[] = [];
  for (const object of stored) {
    if (!object.storedBytesHashed) {
      toReRead.push(object);
      continue;
    }
    readBack += 1;
    const want = expected.get(object.key);
    if (object.sha256 !== want) mismatches.push(`${object.key}: stored ${object.sha256}, expected ${want}`);
  }
  await mapLimit(toReRead, STORE_CONCURRENCY, async (object) => {
    signal.throwIfAborted();
    const now = await objects.sha256(object.key);
    const want = expected.get(object.key);
    if (now !== want) mismatches.push(`${object.key}: stored ${now}, expected ${want}`);
  });
  mismatches.sort();
  return { mismatches, readBack, reRead: toReRead.length };
}
