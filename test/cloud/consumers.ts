/**
 * What Lambda's SQS event source mapping does for the run-tasks function, in a few lines: receive a
 * batch, invoke the handler with SQS-shaped records, delete the records not reported in
 * batchItemFailures. Plus the ECS worker loop on the heavy queue.
 */
import {
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import type { SQSRecord } from "aws-lambda";
import { Worker } from "../../functions/worker/loop.ts";
import type { Box } from "./box.ts";

export interface ConsumerFaults {
  /** Send a copy of the first N light messages back to the queue (a duplicate SQS delivery). */
  duplicateFirst?: number;
  /** Invoke the handler a second time with each of the first N handled batches after they were deleted. */
  redeliverFirst?: number;
  /** Drop the in-flight sets from Redis before the Nth light batch. */
  flushBeforeBatch?: number;
  /**
   * The first N light messages are taken by a consumer that claims the task and dies: no result,
   * no delete. The message comes back when its visibility runs out, the dead claim's lease too.
   */
  abandonFirst?: number;
}

export interface ConsumerStats {
  batches: number;
  records: number;
  batchItemFailures: number;
  duplicatesSent: number;
  redeliveries: number;
  flushedKeys: number;
  abandoned: number;
  abandonedTasks: string[];
}

const queueArn = (url: string) => `arn:aws:sqs:us-east-1:123456789012:${url.split("/").pop()}`;

export function toRecord(message: Message, url: string): SQSRecord {
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? "",
    attributes: {
      ApproximateReceiveCount: message.Attributes?.ApproximateReceiveCount ?? "1",
      SentTimestamp: String(Date.now()),
      SenderId: "box",
      ApproximateFirstReceiveTimestamp: String(Date.now()),
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? "",
    eventSource: "aws:sqs",
    eventSourceARN: queueArn(url),
    awsRegion: "us-east-1",
  };
}

export function startConsumers(
  box: Box,
  options: {
    lightPollers: number;
    faults?: ConsumerFaults;
    /** The heavy worker pool starts when this resolves (a fleet scaling from zero); default at once. */
    heavyStart?: Promise<void>;
  },
) {
  const client: SQSClient = box.sqs.client;
  const url = box.queues.light.url;
  const faults = options.faults ?? {};
  const stats: ConsumerStats = {
    batches: 0,
    records: 0,
    batchItemFailures: 0,
    duplicatesSent: 0,
    redeliveries: 0,
    flushedKeys: 0,
    abandoned: 0,
    abandonedTasks: [],
  };
  const errors: unknown[] = [];
  let stopped = false;

  const poll = async () => {
    while (!stopped) {
      const received = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 5,
          WaitTimeSeconds: 1,
          VisibilityTimeout: 4,
          MessageSystemAttributeNames: ["All"],
        }),
      );
      const messages = received.Messages ?? [];
      if (messages.length === 0) continue;
      const batchNumber = ++stats.batches;
      // From the Nth batch on, until a flush actually drops a set that is in use.
      if (faults.flushBeforeBatch && batchNumber >= faults.flushBeforeBatch && stats.flushedKeys === 0)
        stats.flushedKeys += await box.flushInFlight();
      for (const m of messages) {
        if (stats.duplicatesSent < (faults.duplicateFirst ?? 0)) {
          stats.duplicatesSent++;
          await client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: m.Body! }));
        }
      }
      const taken: Message[] = [];
      for (const m of messages) {
        if (stats.abandoned < (faults.abandonFirst ?? 0)) {
          stats.abandoned++;
          const { task } = JSON.parse(m.Body!) as { task: string };
          await box.runtime.store.claimTask(task, 500); // claimed by a consumer that then died
          stats.abandonedTasks.push(task);
        } else taken.push(m);
      }
      if (taken.length === 0) continue;
      const records = taken.map((m) => toRecord(m, url));
      stats.records += records.length;
      const response = await box.runTasks({ Records: records }, { getRemainingTimeInMillis: () => 300_000 });
      const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
      stats.batchItemFailures += failed.size;
      const done = records.filter((r) => !failed.has(r.messageId));
      for (const record of done) {
        await client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: record.receiptHandle }));
      }
      if (stats.redeliveries < (faults.redeliverFirst ?? 0) && done.length > 0) {
        stats.redeliveries++;
        const again = await box.runTasks({ Records: done }, { getRemainingTimeInMillis: () => 300_000 });
        if (again.batchItemFailures.length > 0)
          errors.push(new Error("a redelivered done task was not done"));
      }
    }
  };
  const pollers = Array.from({ length: options.lightPollers }, () =>
    poll().catch((error: unknown) => {
      errors.push(error);
    }),
  );
  const worker = new Worker(box.runtime, {
    queue: "heavy",
    concurrency: 1,
    // Short, so a message whose settle failed (an injected lost SendTaskSuccess) comes back soon.
    visibilityMs: 5_000,
    waitMs: 1_000,
    graceMs: 5_000,
  });
  const heavyStarted = (options.heavyStart ?? Promise.resolve()).then(() => {
    if (!stopped) worker.start();
  });

  return {
    stats,
    errors,
    async stop() {
      stopped = true;
      await Promise.all(pollers);
      await heavyStarted.catch(() => undefined);
      await worker.stop();
    },
  };
}

/** An S3 "Object Created" event exactly as EventBridge delivers it (the key is not URL-encoded). */
export function objectCreatedEvent(object: {
  bucket: string;
  key: string;
  size: number;
  etag: string;
  versionId?: string | null;
}) {
  return {
    version: "0",
    id: "17793124-05d4-b198-2fde-7ededc63b103",
    "detail-type": "Object Created",
    source: "aws.s3",
    account: "123456789012",
    time: new Date().toISOString(),
    region: "us-east-1",
    resources: [`arn:aws:s3:::${object.bucket}`],
    detail: {
      version: "0",
      bucket: { name: object.bucket },
      object: {
        key: object.key,
        size: object.size,
        etag: object.etag.replace(/"/g, ""),
        ...(object.versionId ? { "version-id": object.versionId } : {}),
        sequencer: "617f08299329d189",
      },
      "request-id": "N4N7GDK58NMKJ12R",
      requester: "123456789012",
      "source-ip-address": "127.0.0.1",
      reason: "PutObject",
    },
  };
}
