import type { TaskQueue } from "../ports/task-queue.ts";
import type { QueueName } from "./model.ts";
import { type RunnerDeps, runTaskMessage } from "./run-task.ts";

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
        maxMessages: 1,
        waitMs: 1000,
        visibilityMs,
        signal,
      });
      for (const m of messages) {
        try {
          const result = await runTaskMessage(this.deps, m.body, {
            signal,
            extendVisibility: (ms) => this.queue.extendVisibility(queueName, m.receipt, ms),
          });
          if (result === "done") await this.queue.delete(queueName, m.receipt);
        } catch (error) {
          this.options.onError?.(error);
        }
      }
    }
  }
}
