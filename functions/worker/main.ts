/**
 * The ECS worker: `node --import tsx functions/worker/main.ts` (see the Dockerfile). Reads the same
 * environment as the functions (functions/handlers/environment.ts) plus, optionally,
 * WORKER_QUEUE (heavy), WORKER_CONCURRENCY (1), WORKER_STOP_GRACE_SECONDS (100: keep it under the
 * container's stopTimeout) and ECS_AGENT_URI (set by ECS; enables scale-in protection while a task runs).
 * SIGTERM / SIGINT: stop receiving, let the running task finish within the grace period or give it
 * back, exit 0.
 */
import { z } from "zod";
import { buildAwsRuntime } from "../handlers/aws-runtime.ts";
import { readEnvironment } from "../handlers/environment.ts";
import { Worker } from "./loop.ts";
import { ecsTaskProtection } from "./protection.ts";

const WorkerSettings = z.object({
  WORKER_QUEUE: z.enum(["light", "heavy"]).default("heavy"),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  WORKER_STOP_GRACE_SECONDS: z.coerce.number().min(0).max(3600).default(100),
  ECS_AGENT_URI: z.string().url().optional(),
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
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    return 1;
  }
  const { logger } = runtime;
  const worker = new Worker(runtime, {
    queue: settings.WORKER_QUEUE,
    concurrency: settings.WORKER_CONCURRENCY,
    visibilityMs: 120_000,
    waitMs: 20_000,
    graceMs: settings.WORKER_STOP_GRACE_SECONDS * 1000,
    protection: settings.ECS_AGENT_URI
      ? ecsTaskProtection(settings.ECS_AGENT_URI, {
          expiresInMinutes: 180,
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
  await worker.stop();
  await runtime.close();
  logger.info("worker stopped");
  return 0;
}

const code = await main();
process.stdout.write("", () => process.exit(code));
