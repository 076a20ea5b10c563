/**
 * Lambda's SQS event source mapping for the bundled run-tasks function: receive a batch from the
 * light queue, invoke the handler with SQS records and a Lambda context, delete the records not
 * reported in batchItemFailures (the others come back when their visibility runs out).
 */
import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { SQSBatchResponse } from "aws-lambda";
import { toRecord } from "../cloud/consumers.ts";
import { type Handler, lambdaContext } from "./harness.ts";

export function startLightConsumer(options: {
  sqs: SQSClient;
  queueUrl: string;
  handler: Handler;
  timeoutMs: number;
  batchSize: number;
}) {
  const stats = { batches: 0, records: 0, batchItemFailures: 0 };
  const errors: unknown[] = [];
  let stopped = false;
  const poll = async () => {
    while (!stopped) {
      const { Messages = [] } = await options.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: options.queueUrl,
          MaxNumberOfMessages: options.batchSize,
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ["All"],
        }),
      );
      if (Messages.length === 0) continue;
      const records = Messages.map((m) => toRecord(m, options.queueUrl));
      stats.batches++;
      stats.records += records.length;
      const response = (await options.handler(
        { Records: records },
        lambdaContext("stepmatica-run-tasks", options.timeoutMs),
      )) as SQSBatchResponse;
      const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
      stats.batchItemFailures += failed.size;
      for (const record of records.filter((r) => !failed.has(r.messageId)))
        await options.sqs.send(
          new DeleteMessageCommand({ QueueUrl: options.queueUrl, ReceiptHandle: record.receiptHandle }),
        );
    }
  };
  const running = poll().catch((error: unknown) => {
    errors.push(error);
  });
  return {
    stats,
    errors,
    async stop() {
      stopped = true;
      await running;
    },
  };
}
