/**
 * Identification throughput (not a test): `npx tsx test/unit/identify/bench.ts [--files N]`.
 * Many small files (the samples the acceptance test uses, copied round-robin) and a few large ones,
 * with the shipped official signature files. Besides files per second of wall time it prints files
 * per CPU-second of this process (main thread and I/O threads) and the load average, so a figure
 * taken on a busy machine can be read for what it is.
 */
import { copyFile, readdir, rm, writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { createIdentifier, loadSignatureFolder } from "../../../functions/identify/index.ts";
import { tempDir, writeSamples } from "./samples.ts";

const count = Number(process.argv[process.argv.indexOf("--files") + 1]) || 10_000;
const dir = await tempDir();
try {
  const samples = await writeSamples(join(dir));
  const small: string[] = [];
  for (let i = 0; i < count; i++) {
    const sample = samples[i % samples.length]!;
    const path = join(dir, `${i}-${sample.path.split("/").pop()}`);
    await copyFile(sample.path, path);
    small.push(path);
  }
  const large: string[] = [];
  for (const [name, head] of [
    ["big.pdf", "%PDF-1.4\n"],
    ["big.bin", "\u0000\u0001binary"],
  ] as const) {
    const path = join(dir, name);
    const body = Buffer.alloc(256 << 20);
    for (let i = 0; i < body.length; i += 4096) body.writeUInt32LE((i * 2654435761) >>> 0, i);
    await writeFile(path, Buffer.concat([Buffer.from(head, "latin1"), body, Buffer.from("\n%%EOF\n")]));
    large.push(path);
  }
  const loadStarted = performance.now();
  const loadCpu = process.cpuUsage();
  const { signatures, containers } = await loadSignatureFolder();
  const identifiers = { "DROID V119 + containers": createIdentifier({ signatures, containers }) };
  const loadUsed = process.cpuUsage(loadCpu);
  console.log(
    `load + compile: ${(performance.now() - loadStarted).toFixed(0)} ms wall, ${((loadUsed.user + loadUsed.system) / 1000).toFixed(0)} ms CPU`,
  );
  console.log(`node ${process.version}, ${cpus().length} CPUs, ${(await readdir(dir)).length} files`);
  for (const [label, identifier] of Object.entries(identifiers)) {
    await identifier.identifyMany(small.slice(0, 200), 16); // warm-up
    let started = performance.now();
    const cpu = process.cpuUsage();
    const results = await identifier.identifyMany(small, 16);
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    const cpuSeconds = (used.user + used.system) / 1e6;
    const unidentified = results.filter((r) => r.puid === null).length;
    console.log(
      `${label}: ${count} small files in ${seconds.toFixed(2)} s = ${(count / seconds).toFixed(0)} files/s; ${(count / cpuSeconds).toFixed(0)} files per CPU-second (${unidentified} unidentified; load average ${loadavg()[0]!.toFixed(1)})`,
    );
    started = performance.now();
    const big = await identifier.identifyMany(large, 1);
    const bigSeconds = (performance.now() - started) / 1000;
    const megabytes = (2 * (256 << 20)) / 2 ** 20;
    console.log(
      `${label}: 2 x 256 MiB in ${bigSeconds.toFixed(2)} s = ${(megabytes / bigSeconds).toFixed(0)} MB/s (${big.map((r) => r.puid).join(", ")})`,
    );
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
