import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";

/** One streaming read of a file, any number of digests (never the whole file in memory). */
export async function digestFile(
  file: string,
  algorithms: string[] = ["sha256"],
  signal?: AbortSignal,
): Promise<{ size: number; digests: Record<string, string> }> {
  const hashes = algorithms.map((a) => createHash(a));
  let size = 0;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20, signal })) {
    size += (chunk as Buffer).length;
    for (const h of hashes) h.update(chunk as Buffer);
  }
  const digests: Record<string, string> = {};
  algorithms.forEach((a, i) => {
    digests[a] = hashes[i]!.digest("hex");
  });
  return { size, digests };
}
