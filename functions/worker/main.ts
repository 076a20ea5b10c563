/**
 * The ECS worker: `node --import tsx functions/worker/main.ts` (see the Dockerfile). Reads the same
 * environment as the functions (functions/handlers/environment.ts) plus, optionally,
 * WORKER_QUEUE (heavy), WORKER_CONCURRENCY (1), WORKER_STOP_GRACE_SECONDS (100: keep it under the
 * container's stopTimeout) and ECS_AGENT_URI (set by ECS; enables scale-in protection while a task runs).
 * Signatures (functions/worker/signatures.ts): STEPMATICA_CLAMAV_DB_DIR (the shared folder scans
 * read), STEPMATICA_CLAMAV_IMAGE_DB_DIR (the image's, /var/lib/clamav), SIGNATURE_REFRESH_HOURS (0:
 * never) and STEPMATICA_REQUIRE_OFFICIAL_SIGNATURES (true: no start without official databases).
 * SCRATCH_ROOT: heavy tasks' temporary files (TMPDIR) go there (the host's EBS volume);
 * TASK_PROTECTION_MINUTES (60): the scale-in protection period, renewed while a task runs.
 * SIGTERM / SIGINT: stop receiving, let the running task finish within the grace period or give it
 * back, exit 0.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { keepHeapNearLiveSize } from "../core/heap-growth.ts";
import { buildAwsRuntime } from "../handlers/aws-runtime.ts";
import { readEnvironment } from "../handlers/environment.ts";
import { Worker } from "./loop.ts";
import { ecsTaskProtection } from "./protection.ts";
import { scheduleSignatureRefresh, seedSharedDatabases, signatureProblem } from "./signatures.ts";

const WorkerSettings = z.object({
  WORKER_QUEUE: z.enum(["light", "heavy"]).default("heavy"),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  WORKER_STOP_GRACE_SECONDS: z.coerce.number().min(0).max(3600).default(100),
  ECS_AGENT_URI: z.string().url().optional(),
  STEPMATICA_CLAMAV_DB_DIR: z.string().min(1).optional(),
  STEPMATICA_CLAMAV_IMAGE_DB_DIR: z.string().min(1).default("/var/lib/clamav"),
  SIGNATURE_REFRESH_HOURS: z.coerce.number().min(0).max(168).default(0),
  TASK_PROTECTION_MINUTES: z.coerce.number().int().min(1).max(2880).default(60),
  SCRATCH_ROOT: z.string().min(1).optional(),
});

async function main(): Promise<number> {
  let runtime: ReturnType<typeof buildAwsRuntime>;
  let settings: z.infer<typeof WorkerSettings>;
  try {
    runtime = buildAwsRuntime(readEnvironment(process.env), {
      taskModules: () => import("../tasks/index.ts").then((m) => m.TASK_MODULES),
    });
    const parsed = WorkerSettings.safeParse(process.env);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Error(`stepmatica worker cannot start: ${String(issue?.path[0])}: ${issue?.message}`);
    }
    settings = parsed.data;
    const shared = settings.STEPMATICA_CLAMAV_DB_DIR;
    if (shared && shared !== settings.STEPMATICA_CLAMAV_IMAGE_DB_DIR) {
      const copied = await seedSharedDatabases(settings.STEPMATICA_CLAMAV_IMAGE_DB_DIR, shared);
      if (copied.length > 0) runtime.logger.info("signatures seeded from the image", { copied });
    }
    if (settings.SCRATCH_ROOT) {
      // Every temporary file of a heavy task (the tools' own and ours: os.tmpdir()) on the scratch volume.
      const tmp = path.join(settings.SCRATCH_ROOT, "tmp");
      await mkdir(tmp, { recursive: true });
      process.env.TMPDIR = tmp;
    }
    const problem = await signatureProblem();
    if (problem) throw new Error(`stepmatica worker cannot start: ${problem}`);
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 1;
  }
  const { logger } = runtime;
  logger.info("heap grows at most this far past its live size before a collection", {
    heapGrowingPercent: keepHeapNearLiveSize(),
  });
  const stopRefresh =
    settings.SIGNATURE_REFRESH_HOURS > 0 && settings.STEPMATICA_CLAMAV_DB_DIR
      ? scheduleSignatureRefresh({
          dir: settings.STEPMATICA_CLAMAV_DB_DIR,
          intervalMs: settings.SIGNATURE_REFRESH_HOURS * 3600_000,
          log: {
            info: (message, extra) => logger.info(message, extra ?? {}),
            warn: (message, extra) => logger.warn(message, extra ?? {}),
          },
        })
      : () => {};
  const worker = new Worker(runtime, {
    queue: settings.WORKER_QUEUE,
    concurrency: settings.WORKER_CONCURRENCY,
    visibilityMs: 120_000,
    waitMs: 20_000,
    graceMs: settings.WORKER_STOP_GRACE_SECONDS * 1000,
    protection: settings.ECS_AGENT_URI
      ? ecsTaskProtection(settings.ECS_AGENT_URI, {
          expiresInMinutes: settings.TASK_PROTECTION_MINUTES,
          warn: (message, extra) => logger.warn(message, extra),
        })
      : null,
  });
  const stopped = new Promise<string>((resolve) => {
    process.once("SIGTERM", () => resolve("SIGTERM"));
    process.once("SIGINT", () => resolve("SIGINT"));
  });
  worker.start();
  logger.info("worker started", { queue: settings.WORKER_QUEUE, concurrency: settings.WORKER_CONCURRENCY });
  const signal = await stopped;
  logger.info("worker stopping: finishing or releasing the running task", {
    signal,
    graceSeconds: settings.WORKER_STOP_GRACE_SECONDS,
  });
  stopRefresh();
  await worker.stop();
  await runtime.close();
  logger.info("worker stopped");
  return 0;
}

const code = await main();
process.stdout.write("", () => process.exit(code));
