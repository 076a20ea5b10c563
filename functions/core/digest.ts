import { createHash } from "node:crypto";
import { open } from "node:fs/promises";

/** Bytes read at a time: large enough for OpenSSL's SHA-256 to run at full speed. */
const CHUNK = 4 << 20;

/**
 * One read of a file, any number of digests (never the whole file in memory). One buffer is
 * reused for the whole file: no allocation per chunk, so a long-lived process with a large heap
 * does not spend its time collecting garbage while hashing.
 */
export async function digestFile(
  file: string,
  algorithms: string[] = ["sha256"],
  signal?: AbortSignal,
): Promise<{ size: number; digests: Record<string, string> }> {
  const hashes = algorithms.map((a) => createHash(a));
  const handle = await open(file, "r");
  let size = 0;
  try {
    const expected = (await handle.stat()).size;
    // One byte more than the file holds: a small file is then read in one call whose short count
    // says it has ended, instead of a second read that returns nothing (most transfers are
    // thousands of small files, and every read is a trip through the thread pool).
    const buffer = Buffer.allocUnsafe(Math.min(CHUNK, expected + 1));
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      size += bytesRead;
      const chunk = bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
      for (const h of hashes) h.update(chunk);
      // A short read of a regular file is its end; a file that grew since fstat reads on.
      if (bytesRead < buffer.length && size >= expected) break;
    }
  } finally {
    await handle.close();
  }
  const digests: Record<string, string> = {};
  algorithms.forEach((a, i) => {
    digests[a] = hashes[i]!.digest("hex");
  });
  return { size, digests };
}
