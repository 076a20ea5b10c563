import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type ReceiveMessageCommandOutput,
  SendMessageBatchCommand,
  type SendMessageBatchRequestEntry,
  SQSClient,
  type SQSClientConfig,
} from "@aws-sdk/client-sqs";
import { z } from "zod";
import type { QueueName } from "../../core/model.ts";
import {
  isAuditRequest,
  type QueueMessage,
  type ReceivedTaskMessage,
  type ReceiveOptions,
  type TaskQueue,
} from "../../ports/task-queue.ts";
import { type AdapterLogger, stderrLogger } from "./logger.ts";
import { backoffMs, DEFAULT_RETRY, errorName, type RetryPolicy, sleep } from "./retry.ts";

export interface SqsTaskQueueOptions {
  queueUrls: Record<QueueName, string>;
  /** The SDK client, or its configuration (region, endpoint: AWS_ENDPOINT_URL_SQS also works). */
  client?: SQSClient;
  clientConfig?: SQSClientConfig;
  /** For entries of a batch that SQS reports as failed (not the sender's fault). */
  retry?: RetryPolicy;
  /** Batches sent at once. */
  concurrency?: number;
  logger?: AdapterLogger;
}

const QueueMessageBody = z.union([
  z.object({ job: z.string().min(1), task: z.string().min(1) }),
  z.object({ audit: z.string().min(1) }),
]);
const BATCH = 10;

/**
 * TaskQueue over SQS standard queues. A message whose body is neither `{job, task}` nor `{audit}` is neither returned
 * nor deleted: it is logged and left to come back until the queue's redrive policy moves it to the
 * dead-letter queue, where a person can read it (deleting it would lose the evidence).
 */
export class SqsTaskQueue implements TaskQueue {
  private readonly client: SQSClient;
  private readonly ownsClient: boolean;
  private readonly retry: RetryPolicy;
  private readonly logger: AdapterLogger;

  constructor(private readonly options: SqsTaskQueueOptions) {
    this.client = options.client ?? new SQSClient(options.clientConfig ?? {});
    this.ownsClient = !options.client;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.logger = options.logger ?? stderrLogger;
  }

  async send(queue: QueueName, messages: QueueMessage[]): Promise<void> {
    const url = this.url(queue);
    const batches: QueueMessage[][] = [];
    for (let i = 0; i < messages.length; i += BATCH) batches.push(messages.slice(i, i + BATCH));
    const failures: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < batches.length) {
        const batch = batches[next++]!;
        failures.push(...(await this.sendBatch(url, batch)));
      }
    };
    await Promise.all(
      Array.from({ length: Math.min(this.options.concurrency ?? 4, batches.length) }, worker),
    );
    if (failures.length > 0) {
      throw new Error(
        `SQS ${queue} queue: ${failures.length} message(s) could not be sent: ${failures.join("; ")}`,
      );
    }
  }

  /** Sends one batch of up to 10, resending only the entries SQS failed; returns what still failed. */
  private async sendBatch(url: string, batch: QueueMessage[]): Promise<string[]> {
    let pending: SendMessageBatchRequestEntry[] = batch.map((message, index) => ({
      Id: String(index),
      MessageBody: JSON.stringify(
        isAuditRequest(message) ? { audit: message.audit } : { job: message.job, task: message.task },
      ),
    }));
    const describe = (id: string | undefined, reason: string) => {
      const message = batch[Number(id)];
      if (message && isAuditRequest(message)) return `audit of AIP ${message.audit}: ${reason}`;
      return `job ${message?.job} task ${message?.task}: ${reason}`;
    };
    const lost: string[] = [];
    for (let attempt = 0; ; attempt++) {
      const response = await this.client.send(
        new SendMessageBatchCommand({ QueueUrl: url, Entries: pending }),
      );
      const failed = response.Failed ?? [];
      const transient = failed.filter((entry) => !entry.SenderFault);
      for (const entry of failed.filter((e) => e.SenderFault)) {
        lost.push(describe(entry.Id, `${entry.Code} ${entry.Message ?? ""}`.trim()));
      }
      if (transient.length === 0) return lost;
      if (attempt + 1 >= this.retry.attempts) {
        return [
          ...lost,
          ...transient.map((entry) => describe(entry.Id, `${entry.Code} after ${attempt + 1} attempts`)),
        ];
      }
      const retryIds = new Set(transient.map((entry) => entry.Id));
      pending = pending.filter((entry) => retryIds.has(entry.Id));
      this.logger.warn("SQS failed some batch entries, resending them", {
        count: pending.length,
        attempt: attempt + 1,
      });
      await sleep(backoffMs(this.retry, attempt));
    }
  }

  async receive(queue: QueueName, options: ReceiveOptions): Promise<ReceivedTaskMessage[]> {
    const command = new ReceiveMessageCommand({
      QueueUrl: this.url(queue),
      MaxNumberOfMessages: Math.min(BATCH, Math.max(1, Math.floor(options.maxMessages))),
      WaitTimeSeconds: Math.min(20, Math.max(0, Math.floor(options.waitMs / 1000))), // never longer than asked
      VisibilityTimeout: Math.min(43_200, Math.max(0, Math.ceil(options.visibilityMs / 1000))),
      MessageSystemAttributeNames: ["ApproximateReceiveCount"],
    });
    let response: ReceiveMessageCommandOutput;
    try {
      response = await this.client.send(command, { abortSignal: options.signal });
    } catch (error) {
      if (options.signal?.aborted || errorName(error) === "AbortError") return [];
      throw error;
    }
    const byId = new Map<string, ReceivedTaskMessage>();
    for (const message of response.Messages ?? []) {
      const parsed = parseBody(message.Body);
      if (!parsed.ok) {
        this.logger.warn("SQS message body is not {job, task} or {audit}: left for the dead-letter queue", {
          queue,
          messageId: message.MessageId,
          reason: parsed.reason,
        });
        continue;
      }
      byId.set(message.MessageId ?? message.ReceiptHandle!, {
        body: parsed.body,
        receipt: message.ReceiptHandle!,
        receiveCount: Number(message.Attributes?.ApproximateReceiveCount ?? 1),
      });
    }
    return [...byId.values()];
  }

  async delete(queue: QueueName, receipt: string): Promise<void> {
    await this.client.send(new DeleteMessageCommand({ QueueUrl: this.url(queue), ReceiptHandle: receipt }));
  }

  async extendVisibility(queue: QueueName, receipt: string, visibilityMs: number): Promise<void> {
    await this.client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: this.url(queue),
        ReceiptHandle: receipt,
        VisibilityTimeout: Math.min(43_200, Math.max(0, Math.ceil(visibilityMs / 1000))),
      }),
    );
  }

  async close(): Promise<void> {
    if (this.ownsClient) this.client.destroy();
  }

  private url(queue: QueueName): string {
    const url = this.options.queueUrls[queue];
    if (!url) throw new Error(`no SQS queue URL configured for the ${queue} queue`);
    return url;
  }
}

function parseBody(
  body: string | undefined,
): { ok: true; body: QueueMessage } | { ok: false; reason: string } {
  try {
    const result = QueueMessageBody.safeParse(JSON.parse(body ?? ""));
    return result.success ? { ok: true, body: result.data } : { ok: false, reason: result.error.message };
  } catch (error) {
    return { ok: false, reason: `not JSON: ${String(error)}` };
  }
}
