import type { QueueName } from "../core/model.ts";
import { runAudit } from "../handlers/audit-run.ts";
import { type AwsRuntime, flushMetrics } from "../handlers/aws-runtime.ts";
import { deliverTask } from "../handlers/deliver-task.ts";
import { isAuditRequest } from "../ports/task-queue.ts";
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

type Deps = Pick<
  AwsRuntime,
  "loadRunner" | "queue" | "store" | "logger" | "metrics" | "ensureAgents" | "objects" | "agents"
>;

/**
 * The ECS worker's consumer: long-polls the heavy queue and runs each delivery through the task
 * runner; a message is deleted only when its task is done (or was done before). An audit request (a
 * stored AIP too large for the scheduled audit function) is audited here, its message kept hidden
 * while it runs. stop() stops receiving at once, lets running tasks finish within the grace period,
 * then aborts them, which gives their claims back and makes their messages visible again for another
 * worker.
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
          if (isAuditRequest(m.body)) {
            if (await this.audit(queueName, m.body.audit, m.receipt))
              await this.deps.queue.delete(queueName, m.receipt);
            continue;
          }
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

  /**
   * Audits one handed-off AIP, extending its message's visibility while it runs. True when the audit
   * was recorded; false when the worker was stopped first (the message is made visible again).
   */
  private async audit(queueName: QueueName, aipId: string, receipt: string): Promise<boolean> {
    const { visibilityMs } = this.options;
    const heartbeat = setInterval(() => {
      this.deps.queue.extendVisibility(queueName, receipt, visibilityMs).catch((error: unknown) => {
        this.deps.logger.warn("could not extend an audit request's visibility", {
          aip: aipId,
          error: String(error),
        });
      });
    }, visibilityMs / 3);
    // Removed when the audit ends first: a worker audits many AIPs over its life on one signal.
    let onStop = () => {};
    const stopped = new Promise<"stopped">((resolve) => {
      onStop = () => resolve("stopped");
      if (this.running.signal.aborted) onStop();
      this.running.signal.addEventListener("abort", onStop, { once: true });
    });
    try {
      const outcome = await Promise.race([runAudit(this.deps, { aipId }), stopped]);
      if (outcome !== "stopped") return true;
      await this.deps.queue.extendVisibility(queueName, receipt, 0);
      return false;
    } catch (error) {
      this.deps.logger.error("fixity audit of a handed-off AIP failed; the request will come back", {
        aip: aipId,
        error: String(error),
      });
      return false;
    } finally {
      clearInterval(heartbeat);
      this.running.signal.removeEventListener("abort", onStop);
    }
  }
}
