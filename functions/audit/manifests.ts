import type { Readable } from "node:stream";

/** One "digest  path" line of a BagIt manifest, parsed (BagIt 1.0 §2.1.3; %0A/%0D/%25 decoded in paths). */
export function parseManifest(text: string, source: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trimEnd();
    if (!line) continue;
    const match = /^([0-9a-fA-F]{64})[ \t]+\*?(.+)$/.exec(line);
    if (!match) throw new Error(`${source} line ${i + 1} is not "sha256  path": ${JSON.stringify(line)}`);
    const path = match[2]!.replace(/%0A/gi, "\n").replace(/%0D/gi, "\r").replace(/%25/g, "%");
    entries.set(path, match[1]!.toLowerCase());
  }
  return entries;
}

export async function readText(stream: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}
