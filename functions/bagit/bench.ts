/**
 * Benchmark: writeBag and validateBag over a generated payload (default 10,000 small files plus a few
 * large ones). Run: npx tsx functions/bagit/bench.ts [--files N] [--large-mb M (two files, M in total)] [--json]
 */
import { randomBytes } from "node:crypto";
import { mkdir, mkdtemp, open, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { readManifest } from "./manifest.ts";
import type { Algorithm } from "./types.ts";
import { validateBag } from "./validate.ts";
import { writeBag } from "./write.ts";

export interface BagitBenchResult {
  files: number;
  megabytes: number;
  writeMs: number;
  writeWithKnownDigestsMs: number;
  validateMs: number;
  valid: boolean;
  peakRssMb: number;
}

export async function benchBagit(
  options: { files?: number; largeMb?: number } = {},
): Promise<BagitBenchResult> {
  const files = options.files ?? 10_000;
  const largeMb = options.largeMb ?? 64;
  const dir = await mkdtemp(path.join(os.tmpdir(), "stepmatica-bagit-bench-"));
  try {
    let bytes = 0;
    for (let i = 0; i < files; i++) {
      const folder = path.join(dir, "data", "objects", `d${Math.floor(i / 500)}`);
      if (i % 500 === 0) await mkdir(folder, { recursive: true });
      const content = randomBytes(512 + (i % 4096));
      bytes += content.length;
      await writeFile(path.join(folder, `file ${i}.bin`), content);
    }
    for (let i = 0; i < 2; i++) {
      // Written in 1 MiB chunks so the benchmark's own memory stays small and peak RSS shows the library's.
      const handle = await open(path.join(dir, "data", `large-${i}.bin`), "w");
      for (let mb = 0; mb < largeMb / 2; mb++) await handle.write(randomBytes(1024 * 1024));
      await handle.close();
      bytes += (largeMb / 2) * 1024 * 1024;
    }
    const algorithms: Algorithm[] = ["sha256", "md5"];
    const baggingDate = new Date("2026-01-01T00:00:00Z");
    let start = performance.now();
    await writeBag(dir, { algorithms, baggingDate });
    const writeMs = performance.now() - start;

    // What the pipeline does: digests recorded at ingest are handed over, so no payload is re-read.
    const knownDigests = new Map<string, Partial<Record<Algorithm, string>>>();
    for (const algorithm of algorithms) {
      const manifest = await readManifest(path.join(dir, `manifest-${algorithm}.txt`));
      for (const entry of manifest.entries) {
        knownDigests.set(entry.path, { ...knownDigests.get(entry.path), [algorithm]: entry.digest });
      }
    }
    start = performance.now();
    await writeBag(dir, { algorithms, baggingDate, knownDigests });
    const writeWithKnownDigestsMs = performance.now() - start;

    start = performance.now();
    const result = await validateBag(dir);
    const validateMs = performance.now() - start;
    return {
      files: files + 2,
      megabytes: Math.round(bytes / 1024 / 1024),
      writeMs: Math.round(writeMs),
      writeWithKnownDigestsMs: Math.round(writeWithKnownDigestsMs),
      validateMs: Math.round(validateMs),
      valid: result.valid,
      peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const argv = process.argv.slice(2);
  const numberAfter = (flag: string) => {
    const index = argv.indexOf(flag);
    return index >= 0 ? Number(argv[index + 1]) : undefined;
  };
  const result = await benchBagit({ files: numberAfter("--files"), largeMb: numberAfter("--large-mb") });
  console.log(argv.includes("--json") ? JSON.stringify(result) : result);
}
