// The thread digestFile (digest.ts) hands a large file to: reads it once and returns its digests.
// Plain JavaScript, so that it starts the same from the sources (tsx) and from the worker image.
import { createHash } from "node:crypto";
import { closeSync, openSync, readSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";

const { file, algorithms, chunkBytes } = workerData;
const hashes = algorithms.map((algorithm) => createHash(algorithm));
const buffer = Buffer.allocUnsafe(chunkBytes);
const fd = openSync(file, "r");
let size = 0;
try {
  for (;;) {
    const count = readSync(fd, buffer, 0, buffer.length, null);
    if (count === 0) break;
    size += count;
    const chunk = buffer.subarray(0, count);
    for (const hash of hashes) hash.update(chunk);
  }
} finally {
  closeSync(fd);
}
const digests = Object.fromEntries(algorithms.map((algorithm, i) => [algorithm, hashes[i].digest("hex")]));
parentPort.postMessage({ size, digests });
