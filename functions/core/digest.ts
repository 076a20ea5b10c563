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
    const buffer = Buffer.allocUnsafe(Math.max(1, Math.min(CHUNK, expected || CHUNK)));
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      size += bytesRead;
      const chunk = bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
      for (const h of hashes) h.update(chunk);
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
