/**
 * A local SQS standard queue service speaking the SQS JSON protocol (awsJson1_0: POST / with
 * X-Amz-Target AmazonSQS.<Operation>), with the semantics the adapter relies on: long polls that return
 * as soon as a message is there, visibility timeouts, ApproximateReceiveCount, a new receipt handle per
 * receive, ChangeMessageVisibility only for messages in flight, redrive to a dead-letter queue after
 * maxReceiveCount, batch validation — and injectable per-entry batch failures (SenderFault false).
 * (local-aws-sqs 2.0.2 was tried first: its long poll waits out WaitTimeSeconds, can return a message
 * twice in one response, and counts ChangeMessageVisibility as a receive.)
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { SQSClient } from "@aws-sdk/client-sqs";

class SqsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly queryCode = type,
  ) {
    super(message);
  }
}

interface Message {
  id: string;
  body: string;
  receiveCount: number;
  receipt: string | null;
  invisibleUntil: number;
}
interface Queue {
  name: string;
  arn: string;
  messages: Message[];
  redrive?: { deadLetterTargetArn: string; maxReceiveCount: number };
  waiters: Set<() => void>;
}

export interface LocalSqs {
  endpoint: string;
  client: SQSClient;
  /** Creates a queue with a dead-letter queue (maxReceiveCount) and returns both URLs. */
  createQueue(maxReceiveCount?: number): Promise<{ url: string; dlqUrl: string }>;
  /** Every request: the SQS operation and, for batches, the entry count. */
  requests: Array<{ operation: string; entries?: number }>;
  /** The next `times` batches fail the entries whose body matches (transient: SenderFault false). */
  failEntries(match: (body: string) => boolean, times: number): void;
  clearFaults(): void;
  close(): Promise<void>;
}

const md5 = (text: string) => createHash("md5").update(text, "utf8").digest("hex");
// SQS's allowed characters: #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF
const INVALID_BODY = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

export async function startLocalSqs(): Promise<LocalSqs> {
  const queues = new Map<string, Queue>();
  const requests: LocalSqs["requests"] = [];
  const faults: Array<{ match: (body: string) => boolean; remaining: number }> = [];
  let baseUrl = "";
  let closed = false;

  const queueOf = (body: Record<string, unknown>): Queue => {
    const name =
      String(body.QueueUrl ?? "")
        .split("/")
        .pop() ?? "";
    const queue = queues.get(name);
    if (!queue)
      throw new SqsError(
        "QueueDoesNotExist",
        "The specified queue does not exist.",
        "AWS.SimpleQueueService.NonExistentQueue",
      );
    return queue;
  };
  const enqueue = (queue: Queue, body: string) => {
    const message: Message = { id: randomUUID(), body, receiveCount: 0, receipt: null, invisibleUntil: 0 };
    queue.messages.push(message);
    for (const wake of queue.waiters) wake();
    return message;
  };

  /** Takes up to `max` visible messages, moving those received maxReceiveCount times to the DLQ. */
  const take = (queue: Queue, max: number, visibilityMs: number): Message[] => {
    const now = Date.now();
    const taken: Message[] = [];
    for (const message of [...queue.messages]) {
      if (taken.length >= max) break;
      if (message.invisibleUntil > now) continue;
      if (queue.redrive && message.receiveCount >= queue.redrive.maxReceiveCount) {
        queue.messages.splice(queue.messages.indexOf(message), 1);
        const dlq = [...queues.values()].find((q) => q.arn === queue.redrive!.deadLetterTargetArn);
        if (dlq) enqueue(dlq, message.body);
        continue;
      }
      message.receiveCount++;
      message.receipt = Buffer.from(
        `${queue.name}:${message.id}:${randomBytes(12).toString("hex")}`,
      ).toString("base64");
      message.invisibleUntil = now + visibilityMs;
      taken.push(message);
    }
    return taken;
  };

  const operations: Record<string, (body: Record<string, unknown>) => unknown> = {
    CreateQueue(body) {
      const name = String(body.QueueName);
      if (!/^[A-Za-z0-9_-]{1,80}$/.test(name))
        throw new SqsError("InvalidParameterValue", `Invalid queue name ${name}`);
      const attributes = (body.Attributes ?? {}) as Record<string, string>;
      if (!queues.has(name)) {
        queues.set(name, {
          name,
          arn: `arn:aws:sqs:us-east-1:123456789012:${name}`,
          messages: [],
          waiters: new Set(),
          redrive: attributes.RedrivePolicy ? JSON.parse(attributes.RedrivePolicy) : undefined,
        });
      }
      return { QueueUrl: `${baseUrl}/123456789012/${name}` };
    },
    SendMessage(body) {
      const text = String(body.MessageBody ?? "");
      if (!text || INVALID_BODY.test(text))
        throw new SqsError("InvalidMessageContents", "Invalid characters found.");
      const message = enqueue(queueOf(body), text);
      return { MessageId: message.id, MD5OfMessageBody: md5(text) };
    },
    SendMessageBatch(body) {
      const queue = queueOf(body);
      const entries = (body.Entries ?? []) as Array<{ Id: string; MessageBody: string }>;
      requests[requests.length - 1]!.entries = entries.length;
      if (entries.length === 0)
        throw new SqsError("EmptyBatchRequest", "There should be at least one entry in the request.");
      if (entries.length > 10)
        throw new SqsError("TooManyEntriesInBatchRequest", "Maximum number of entries per request are 10.");
      if (new Set(entries.map((e) => e.Id)).size !== entries.length)
        throw new SqsError("BatchEntryIdsNotDistinct", "Ids not distinct.");
      const fault = faults.find((f) => f.remaining > 0);
      if (fault) fault.remaining--;
      const Successful: unknown[] = [];
      const Failed: unknown[] = [];
      for (const entry of entries) {
        if (fault?.match(entry.MessageBody)) {
          Failed.push({ Id: entry.Id, SenderFault: false, Code: "InternalError", Message: "injected" });
        } else if (!entry.MessageBody || INVALID_BODY.test(entry.MessageBody)) {
          Failed.push({
            Id: entry.Id,
            SenderFault: true,
            Code: "InvalidMessageContents",
            Message: "Invalid characters found.",
          });
        } else {
          const message = enqueue(queue, entry.MessageBody);
          Successful.push({ Id: entry.Id, MessageId: message.id, MD5OfMessageBody: md5(entry.MessageBody) });
        }
      }
      return { Successful, Failed };
    },
    async ReceiveMessage(body) {
      const queue = queueOf(body);
      const max = Number(body.MaxNumberOfMessages ?? 1);
      if (max < 1 || max > 10)
        throw new SqsError(
          "InvalidParameterValue",
          `Value ${max} for parameter MaxNumberOfMessages is invalid.`,
        );
      const visibilityMs = Number(body.VisibilityTimeout ?? 30) * 1000;
      const deadline = Date.now() + Number(body.WaitTimeSeconds ?? 0) * 1000;
      let taken = take(queue, max, visibilityMs);
      while (taken.length === 0 && Date.now() < deadline && !closed) {
        // Wake on a new message, or when the earliest invisible message becomes visible, or at the deadline.
        const nextVisible = Math.min(
          ...queue.messages.map((m) => m.invisibleUntil).filter((t) => t > Date.now()),
          deadline,
        );
        await new Promise<void>((resolve) => {
          const timer = setTimeout(done, Math.max(1, nextVisible - Date.now()));
          function done() {
            clearTimeout(timer);
            queue.waiters.delete(done);
            resolve();
          }
          queue.waiters.add(done);
        });
        taken = take(queue, max, visibilityMs);
      }
      const wanted = [
        ...((body.AttributeNames as string[]) ?? []),
        ...((body.MessageSystemAttributeNames as string[]) ?? []),
      ];
      const withCount = wanted.includes("All") || wanted.includes("ApproximateReceiveCount");
      if (taken.length === 0) return {};
      return {
        Messages: taken.map((m) => ({
          MessageId: m.id,
          ReceiptHandle: m.receipt,
          MD5OfBody: md5(m.body),
          Body: m.body,
          ...(withCount ? { Attributes: { ApproximateReceiveCount: String(m.receiveCount) } } : {}),
        })),
      };
    },
    DeleteMessage(body) {
      const queue = queueOf(body);
      const receipt = String(body.ReceiptHandle ?? "");
      if (!Buffer.from(receipt, "base64").toString().startsWith(`${queue.name}:`)) {
        throw new SqsError(
          "ReceiptHandleIsInvalid",
          `The input receipt handle "${receipt}" is not a valid receipt handle.`,
        );
      }
      // An older receipt handle succeeds without deleting, as SQS documents.
      queue.messages = queue.messages.filter((m) => m.receipt !== receipt);
      return {};
    },
    ChangeMessageVisibility(body) {
      const queue = queueOf(body);
      const message = queue.messages.find((m) => m.receipt === body.ReceiptHandle);
      if (!message || message.invisibleUntil <= Date.now()) {
        throw new SqsError(
          "MessageNotInflight",
          "Message does not exist or is not available for visibility timeout change.",
        );
      }
      message.invisibleUntil = Date.now() + Number(body.VisibilityTimeout) * 1000;
      for (const wake of queue.waiters) wake();
      return {};
    },
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      const operation = String(req.headers["x-amz-target"] ?? "").replace(/^AmazonSQS\./, "");
      requests.push({ operation });
      const headers: Record<string, string> = {
        "content-type": "application/x-amz-json-1.0",
        "x-amzn-requestid": randomUUID(),
      };
      try {
        const handler = operations[operation];
        if (!handler) throw new SqsError("UnsupportedOperation", `unsupported operation ${operation}`);
        const payload = await handler(JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}"));
        res.writeHead(200, headers).end(JSON.stringify(payload));
      } catch (error) {
        const e = error instanceof SqsError ? error : new SqsError("InternalError", String(error));
        headers["x-amzn-query-error"] = `${e.queryCode};Sender`;
        res
          .writeHead(400, headers)
          .end(JSON.stringify({ __type: `com.amazonaws.sqs#${e.type}`, message: e.message }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new SQSClient({
    region: "us-east-1",
    endpoint: baseUrl,
    credentials: { accessKeyId: "l", secretAccessKey: "l" },
  });

  return {
    endpoint: baseUrl,
    client,
    requests,
    failEntries(match, times) {
      faults.push({ match, remaining: times });
    },
    clearFaults() {
      faults.length = 0;
    },
    async createQueue(maxReceiveCount = 3) {
      const name = `q-${randomUUID().slice(0, 8)}`;
      const dlq = operations.CreateQueue!({ QueueName: `${name}-dlq` }) as { QueueUrl: string };
      const queue = operations.CreateQueue!({
        QueueName: name,
        Attributes: {
          RedrivePolicy: JSON.stringify({
            deadLetterTargetArn: `arn:aws:sqs:us-east-1:123456789012:${name}-dlq`,
            maxReceiveCount,
          }),
        },
      }) as { QueueUrl: string };
      return { url: queue.QueueUrl, dlqUrl: dlq.QueueUrl };
    },
    async close() {
      client.destroy();
      closed = true;
      for (const queue of queues.values()) for (const wake of queue.waiters) wake();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
