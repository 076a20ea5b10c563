import type { QueueName } from "../core/model.ts";

/** What a queue message carries: ids only, never file lists (SQS's 256 KiB limit). */
export interface TaskMessage {
  job: string;
  task: string;
}

export interface ReceivedTaskMessage {
  body: TaskMessage;
  /** Opaque handle for delete / extendVisibility (an SQS receipt handle). */
  receipt: string;
  /** 1 on the first delivery. */
  receiveCount: number;
}

export interface ReceiveOptions {
  maxMessages: number;
  /** Long-poll wait; resolves early when a message arrives. */
  waitMs: number;
  /** How long a received message stays invisible before it is delivered again. */
  visibilityMs: number;
  signal?: AbortSignal;
}

/** At-least-once delivery with visibility timeouts, as SQS has it: a message not deleted comes back. */
export interface TaskQueue {
  send(queue: QueueName, messages: TaskMessage[]): Promise<void>;
  receive(queue: QueueName, options: ReceiveOptions): Promise<ReceivedTaskMessage[]>;
  delete(queue: QueueName, receipt: string): Promise<void>;
  extendVisibility(queue: QueueName, receipt: string, visibilityMs: number): Promise<void>;
  close(): Promise<void>;
}
