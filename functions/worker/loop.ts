import type { QueueName } from "../core/model.ts";
import { type AwsRuntime, flushMetrics } from "../handlers/aws-runtime.ts";
import { deliverTask } from "../handlers/deliver-task.ts";
import type { TaskProtection } from "./protection.ts";

export interface WorkerOptions {
  queue: QueueName;
  /** Tasks run at once by this process. */
  concurrency: number;
  /** How long a received message stays hidden before the first heartbeat extends it. */
  visibilityMs: number;
  /** Long-poll wait (SQS allows up to 20 s). */
  waitMs: number;
  /** After stop(), how long running tasks may take to finish before their claims are given back. */
  graceMs: number;
  protection?: TaskProtection | null;
}

type Deps = Pick<AwsRuntime, "loadRunner" | "queue" | "store" | "logger" | "metrics" | "ensureAgents">;

/**
 * The ECS worker's consumer: long-polls the heavy queue and runs each delivery through the task
 * runner; a message is deleted only when its task is done (or was done before). stop() stops receiving
 * at once, lets running tasks finish within the grace period, then aborts them, which gives their
 * claims back and makes their messages visible again for another worker.
 */
export class Worker {
  private readonly receiving = new AbortController();
  private readonly running = new AbortController();
  private loops: Promise<void>[] = [];

  constructor(
    private readonly deps: Deps,
    private readonly options: WorkerOptions,
  ) {}

  start(): void {
    for (let i = 0; i < this.options.concurrency; i++) this.loops.push(this.consume());
  }

  /** Resolves when every loop has ended: running tasks finished or released. */
  async stop(): Promise<void> {
    this.receiving.abort();
    const grace = setTimeout(
      () => this.running.abort(new Error("stop grace period over")),
      this.options.graceMs,
    );
    try {
      await Promise.allSettled(this.loops);
    } finally {
      clearTimeout(grace);
      flushMetrics(this.deps.metrics);
    }
  }

  private async consume(): Promise<void> {
    const { queue: queueName } = this.options;
    while (!this.receiving.signal.aborted) {
      let messages: Awaited<ReturnType<Deps["queue"]["receive"]>> = [];
      try {
        messages = await this.deps.queue.receive(queueName, {
          maxMessages: 1,
          waitMs: this.options.waitMs,
          visibilityMs: this.options.visibilityMs,
          signal: this.receiving.signal,
        });
      } catch (error) {
        this.deps.logger.error("receiving from the task queue failed; retrying", error as Error);
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        continue;
      }
      for (const m of messages) {
        await this.options.protection?.taskStarted();
        try {
          const result = await deliverTask(
            this.deps,
            { queue: queueName, message: m.body, receipt: m.receipt, receiveCount: m.receiveCount },
            { signal: this.running.signal },
          );
          if (result === "done") await this.deps.queue.delete(queueName, m.receipt);
          else if (this.running.signal.aborted)
            await this.deps.queue.extendVisibility(queueName, m.receipt, 0);
        } catch {
          // deliverTask logged it; the message comes back when its visibility ends
        } finally {
          await this.options.protection?.taskEnded();
          flushMetrics(this.deps.metrics);
        }
      }
    }
  }
}
