import { randomUUID } from "node:crypto";
import type { QueueName } from "../../core/model.ts";
import type { QueueMessage, ReceivedTaskMessage, ReceiveOptions, TaskQueue } from "../../ports/task-queue.ts";

interface Stored {
  id: string;
  body: QueueMessage;
  visibleAt: number;
  receiveCount: number;
  receipt: string | null;
}

/**
 * An in-process queue with SQS semantics: at-least-once delivery, visibility timeouts, redelivery of
 * messages not deleted, receipts that go stale when a message is received again. FIFO by send order.
 */
export class MemoryQueue implements TaskQueue {
  private readonly queues = new Map<QueueName, Stored[]>();
  private readonly waiters = new Set<() => void>();
  private closed = false;

  async send(queue: QueueName, messages: QueueMessage[]): Promise<void> {
    const list = this.list(queue);
    for (const body of messages) {
      list.push({ id: randomUUID(), body: { ...body }, visibleAt: 0, receiveCount: 0, receipt: null });
    }
    this.wake();
  }

  async receive(queue: QueueName, options: ReceiveOptions): Promise<ReceivedTaskMessage[]> {
    const deadline = Date.now() + options.waitMs;
    for (;;) {
      if (this.closed || options.signal?.aborted) return [];
      const now = Date.now();
      const got: ReceivedTaskMessage[] = [];
      for (const m of this.list(queue)) {
        if (got.length >= options.maxMessages) break;
        if (m.visibleAt > now) continue;
        m.receiveCount += 1;
        m.receipt = `${m.id}:${m.receiveCount}`;
        m.visibleAt = now + options.visibilityMs;
        got.push({ body: { ...m.body }, receipt: m.receipt, receiveCount: m.receiveCount });
      }
      if (got.length > 0 || now >= deadline) return got;
      await this.waitForChange(Math.min(deadline - now, this.nextVisibleIn(queue, now)), options.signal);
    }
  }

  async delete(queue: QueueName, receipt: string): Promise<void> {
    const list = this.list(queue);
    const index = list.findIndex((m) => m.receipt === receipt);
    if (index >= 0) list.splice(index, 1); // a stale receipt deletes nothing, as in SQS
  }

  async extendVisibility(queue: QueueName, receipt: string, visibilityMs: number): Promise<void> {
    const m = this.list(queue).find((x) => x.receipt === receipt);
    if (m) m.visibleAt = Date.now() + visibilityMs;
  }

  /** Messages in the queue (visible or not): for tests and the benchmark. */
  depth(queue: QueueName): number {
    return this.list(queue).length;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake();
  }

  private list(queue: QueueName): Stored[] {
    let list = this.queues.get(queue);
    if (!list) {
      list = [];
      this.queues.set(queue, list);
    }
    return list;
  }

  private nextVisibleIn(queue: QueueName, now: number): number {
    let next = Number.POSITIVE_INFINITY;
    for (const m of this.list(queue)) next = Math.min(next, m.visibleAt - now);
    return Math.max(1, next);
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  private waitForChange(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(1, Math.min(ms, 2_147_483_647)));
      this.waiters.add(done);
      signal?.addEventListener("abort", done, { once: true });
    });
  }
}
