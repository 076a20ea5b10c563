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
  const compare = (key: string, digest: string) => {
    const want = expected.get(key);
    if (digest !== want) mismatches.push(`${key}: stored ${digest}, expected ${want}`);
  };
  let readBack = 0;
  const toReRead: StoredObject[] = [];
  for (const object of stored) {
    if (!object.storedBytesHashed) {
      toReRead.push(object);
      continue;
    }
    readBack += 1;
    compare(object.key, object.sha256);
  }
  await mapLimit(toReRead, STORE_CONCURRENCY, async (object) => {
    signal.throwIfAborted();
    compare(object.key, await objects.sha256(object.key));
  });
  mismatches.sort();
  return { mismatches, readBack, reRead: toReRead.length };
}
