import type { QueueName } from "../core/model.ts";

/** What a queue message carries: ids only, never file lists (SQS's 256 KiB limit). */
export interface TaskMessage {
  job: string;
  task: string;
}

/**
 * A stored AIP whose re-hash is too long for the scheduled audit function (Lambda's 15 minutes):
 * the function hands it to the heavy queue, where a worker audits it without a time limit.
 */
export interface AuditRequest {
  /** The AIP's id (aips.id). */
  audit: string;
}

/** What the task queues carry: workflow tasks, and on the heavy queue also audit requests. */
export type QueueMessage = TaskMessage | AuditRequest;

export function isAuditRequest(message: QueueMessage): message is AuditRequest {
  return "audit" in message;
}

/** The workflow task a message carries; an audit request where only tasks may come is an error. */
export function taskOf(message: QueueMessage): TaskMessage {
  if (isAuditRequest(message)) {
    throw new Error(`an audit request (AIP ${message.audit}) reached a consumer of workflow tasks only`);
  }
  return message;
}

export interface ReceivedTaskMessage {
  body: QueueMessage;
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
  send(queue: QueueName, messages: QueueMessage[]): Promise<void>;
  receive(queue: QueueName, options: ReceiveOptions): Promise<ReceivedTaskMessage[]>;
  delete(queue: QueueName, receipt: string): Promise<void>;
  extendVisibility(queue: QueueName, receipt: string, visibilityMs: number): Promise<void>;
  close(): Promise<void>;
}
