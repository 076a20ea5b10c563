// Archive throughput benchmark: `npx tsx functions/archives/bench.ts [megabytes]` (default 200).
// Prints one JSON line per measurement; everything is made in a temp dir and removed.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createArchive } from "./create.ts";
import { extractArchive } from "./extract.ts";
import type { CreateKind } from "./types.ts";

async function main(): Promise<void> {
  const megabytes = Number(process.argv[2] ?? 200);
  const root = await fs.mkdtemp(path.join(os.tmpdir(), "stepmatica-archive-bench-"));
  try {
    const src = path.join(root, "src");
    await fs.mkdir(src);
    const half = Math.max(1, Math.floor(megabytes / 2));
    for (let i = 0; i < half; i++) await fs.writeFile(path.join(src, `noise-${i}.bin`), noiseBlock(i));
    const text = Buffer.from("The quick brown fox jumps over the lazy dog. ".repeat(1500));
    for (let i = 0; i < half * 16; i++)
      await fs.writeFile(path.join(src, `text-${i}.txt`), text.subarray(0, 64 * 1024));
    const inputBytes = half * (1 << 20) * 2;
    for (const kind of ["zip", "tar.gz", "7z"] as CreateKind[]) {
      const out = path.join(root, `aip.${kind}`);
      let started = performance.now();
      await createArchive(src, out, kind, { mtime: new Date(0) });
      const createMs = performance.now() - started;
      started = performance.now();
      const result = await extractArchive(out, path.join(root, `x-${kind}`));
      const extractMs = performance.now() - started;
      const mbps = (ms: number) => Math.round((inputBytes / (1 << 20) / (ms / 1000)) * 10) / 10;
      const size = (await fs.stat(out)).size;
      console.log(
        JSON.stringify({
          kind,
          files: result.entries.length,
          inputBytes,
          archiveBytes: size,
          createMBps: mbps(createMs),
          extractMBps: mbps(extractMs),
        }),
      );
      await fs.rm(path.join(root, `x-${kind}`), { recursive: true });
    }
  } finally {
    await fs.rm(root, { recursive: true, force: true });
  }
}

function noiseBlock(seed: number): Buffer {
  const buffer = Buffer.alloc(1 << 20);
  let state = (seed + 1) * 2654435761;
  for (let i = 0; i < buffer.length; i += 4) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    buffer.writeInt32LE(state | 0, i);
  }
  return buffer;
}

await main();
