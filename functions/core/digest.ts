import { createHash } from "node:crypto";
import { readChunks } from "./read-chunks.ts";

/** Bytes read at a time: large enough for OpenSSL's SHA-256 to run at full speed. */
const CHUNK = 4 << 20;

/** One read of a file, any number of digests (never the whole file in memory). */
export async function digestFile(
  file: string,
  algorithms: string[] = ["sha256"],
  signal?: AbortSignal,
): Promise<{ size: number; digests: Record<string, string> }> {
  const hashes = algorithms.map((a) => createHash(a));
  const size = await readChunks(
    file,
    CHUNK,
    (chunk) => {
      for (const h of hashes) h.update(chunk);
    },
    signal,
  );
  const digests: Record<string, string> = {};
  algorithms.forEach((a, i) => {
    digests[a] = hashes[i]!.digest("hex");
  });
  return { size, digests };
}
