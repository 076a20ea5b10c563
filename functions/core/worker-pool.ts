import { type TaskQueue, taskOf } from "../ports/task-queue.ts";
import type { QueueName } from "./model.ts";
import { type RunnerDeps, runTaskMessages } from "./run-task.ts";

/** Light-queue messages a consumer takes at once (SQS returns at most ten). */
const LIGHT_BATCH = 10;

export interface WorkerPoolOptions {
  /** Consumers per queue; light work is I/O and hashing, heavy work runs external tools. */
  concurrency: Record<QueueName, number>;
  /** How long a received message stays hidden; extended while its task runs. */
  visibilityMs?: number;
  /** Called when a delivery throws (a store or cache outage): the message comes back after its visibility. */
  onError?(error: unknown): void;
}

/**
 * Consumers that long-poll the task queues and run each delivery through the task runner, the same
 * loop the ECS worker runs. stop() lets running tasks finish (or give their claim back) and returns.
 */
export class WorkerPool {
  private readonly controller = new AbortController();
  private loops: Promise<void>[] = [];

  constructor(
    private readonly deps: RunnerDeps,
    private readonly queue: TaskQueue,
    private readonly options: WorkerPoolOptions,
  ) {}

  start(): void {
    for (const name of ["light", "heavy"] as const) {
      for (let i = 0; i < this.options.concurrency[name]; i++) this.loops.push(this.consume(name));
    }
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await Promise.allSettled(this.loops);
    this.loops = [];
    // Modules that keep a tool process between tasks (ExifTool -stay_open) close it here.
    const modules = new Set(this.deps.modules.values());
    await Promise.allSettled([...modules].map((m) => m.dispose?.()));
  }

  private async consume(queueName: QueueName): Promise<void> {
    const signal = this.controller.signal;
    const visibilityMs = this.options.visibilityMs ?? 60_000;
    while (!signal.aborted) {
      const messages = await this.queue.receive(queueName, {
        // Light tasks are short: a consumer takes several and records them together. A heavy task
        // holds its consumer for long, so it takes one and leaves the rest to other workers.
        maxMessages: queueName === "light" ? LIGHT_BATCH : 1,
        waitMs: 1000,
        visibilityMs,
        signal,
      });
      if (messages.length === 0) continue;
      try {
        const results = await runTaskMessages(
          this.deps,
          messages.map((m) => taskOf(m.body)),
          (i) => ({
            signal,
            extendVisibility: (ms) => this.queue.extendVisibility(queueName, messages[i]!.receipt, ms),
          }),
        );
        for (const [i, result] of results.entries()) {
          if (result === "done") await this.queue.delete(queueName, messages[i]!.receipt);
        }
      } catch (error) {
        this.options.onError?.(error);
      }
    }
  }
}
