import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { readChunks } from "./read-chunks.ts";

/** Bytes read at a time: large enough for OpenSSL's SHA-256 to run at full speed. */
const CHUNK = 4 << 20;

/**
 * Files from this size on are hashed on a thread of their own: the process's other work (the next
 * files of a page, a task's database writes) goes on meanwhile, and two large files hash on two
 * cores. Below it, starting a thread (some 20-40 ms) costs more than it saves.
 */
export const THREAD_FROM_BYTES = 64 << 20;

const THREAD_SCRIPT = fileURLToPath(new URL("./digest-thread.mjs", import.meta.url));
/** Not there in a bundle of this module (a Lambda function): every file is then hashed here. */
const threadAvailable = existsSync(THREAD_SCRIPT);
/**
 * At most one hashing thread per core at once (each holds a V8 isolate and a 4 MiB buffer): a
 * large file asked for beyond that (storing sixteen objects at once, say) is hashed here.
 */
const MAX_THREADS = Math.max(1, availableParallelism());
let threadsRunning = 0;
let threadsStarted = 0;

/** How many files this process has hashed on a thread (for tests and diagnostics). */
export function digestThreadsStarted(): number {
  return threadsStarted;
}

export interface FileDigests {
  size: number;
  digests: Record<string, string>;
}

/** One read of a file, any number of digests (never the whole file in memory). */
export async function digestFile(
  file: string,
  algorithms: string[] = ["sha256"],
  signal?: AbortSignal,
): Promise<FileDigests> {
  const hashes = algorithms.map((a) => createHash(a));
  let onThread: Promise<FileDigests> | null = null;
  const size = await readChunks(
    file,
    CHUNK,
    (chunk) => {
      for (const h of hashes) h.update(chunk);
    },
    signal,
    (bytes) => {
      if (bytes < THREAD_FROM_BYTES || !threadAvailable || threadsRunning >= MAX_THREADS) return null;
      onThread = digestOnThread(file, algorithms, signal);
      return onThread.then((result) => result.size);
    },
  );
  if (onThread) return onThread;
  const digests: Record<string, string> = {};
  algorithms.forEach((a, i) => {
    digests[a] = hashes[i]!.digest("hex");
  });
  return { size, digests };
}

function digestOnThread(file: string, algorithms: string[], signal?: AbortSignal): Promise<FileDigests> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  threadsStarted += 1;
  threadsRunning += 1;
  const hashing = new Promise<FileDigests>((resolve, reject) => {
    const worker = new Worker(THREAD_SCRIPT, { workerData: { file, algorithms, chunkBytes: CHUNK } });
    const stop = () => {
      void worker.terminate();
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", stop, { once: true });
    const settle = () => signal?.removeEventListener("abort", stop);
    worker.once("message", (result: FileDigests) => {
      settle();
      resolve(result);
    });
    worker.once("error", (error) => {
      settle();
      reject(error);
    });
    worker.once("exit", (code) => {
      settle();
      reject(new Error(`${file}: the hashing thread ended (${code}) without a digest`));
    });
  });
  return hashing.finally(() => {
    threadsRunning -= 1;
  });
}
