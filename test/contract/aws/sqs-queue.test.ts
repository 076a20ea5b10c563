import { ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SqsTaskQueue } from "../../../functions/adapters/aws/sqs-queue.ts";
import { type TaskMessage, taskOf } from "../../../functions/ports/task-queue.ts";
import { type LocalSqs, startLocalSqs } from "../../helpers/local-aws/moto-sqs.ts";
import { runSharedContract } from "../../helpers/local-aws/shared-contracts.ts";

let sqs: LocalSqs;
const opened: SqsTaskQueue[] = [];
const warnings: string[] = [];

async function make(): Promise<SqsTaskQueue> {
  const light = await sqs.createQueue();
  const heavy = await sqs.createQueue();
  const queue = new SqsTaskQueue({
    queueUrls: { light: light.url, heavy: heavy.url },
    clientConfig: {
      region: "us-east-1",
      endpoint: sqs.endpoint,
      credentials: { accessKeyId: "l", secretAccessKey: "l" },
    },
    retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
    logger: { warn: (message, extra) => warnings.push(`${message} ${JSON.stringify(extra)}`) },
  });
  opened.push(queue);
  return queue;
}

const tasks = (n: number, job = "job-1"): TaskMessage[] =>
  Array.from({ length: n }, (_, i) => ({ job, task: `task-${i}` }));

async function drain(queue: SqsTaskQueue, expected: number) {
  const got = [];
  for (let i = 0; i < 20 && got.length < expected; i++) {
    got.push(...(await queue.receive("light", { maxMessages: 10, waitMs: 0, visibilityMs: 30_000 })));
  }
  return got;
}

beforeAll(async () => {
  sqs = await startLocalSqs();
});
afterAll(async () => {
  await Promise.all(opened.map((queue) => queue.close()));
  await sqs?.close();
});

describe("SqsTaskQueue against moto's SQS", () => {
  it("sends in batches of 10 and receives every message once, with its receive count", async () => {
    const queue = await make();
    const before = sqs.requests.length;
    await queue.send("light", tasks(25));
    const batches = sqs.requests.slice(before).filter((r) => r.operation === "SendMessageBatch");
    expect(batches.map((b) => b.entries).sort()).toEqual([10, 10, 5]);
    const received = await drain(queue, 25);
    expect(received.map((m) => taskOf(m.body).task).sort()).toEqual(
      tasks(25)
        .map((t) => t.task)
        .sort(),
    );
    expect(received.every((m) => m.receiveCount === 1 && taskOf(m.body).job === "job-1")).toBe(true);
    expect(await queue.receive("heavy", { maxMessages: 10, waitMs: 0, visibilityMs: 1000 })).toEqual([]);
  });

  it("resends only the entries SQS failed, then succeeds", async () => {
    const queue = await make();
    sqs.failEntries((body) => body.includes('"task-3"') || body.includes('"task-7"'), 2);
    const before = sqs.requests.length;
    await queue.send("light", tasks(10));
    const batches = sqs.requests.slice(before).filter((r) => r.operation === "SendMessageBatch");
    expect(batches.map((b) => b.entries)).toEqual([10, 2, 2]);
    expect((await drain(queue, 10)).map((m) => taskOf(m.body).task).sort()).toEqual(
      tasks(10)
        .map((t) => t.task)
        .sort(),
    );
  });

  it("names the messages that still fail after the bounded retries", async () => {
    const queue = await make();
    sqs.failEntries((body) => body.includes('"task-4"'), 5);
    const failure = await queue.send("light", tasks(12)).catch((error: Error) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).message).toMatch(
      /light queue: 1 message\(s\) could not be sent: job job-1 task task-4: InternalError after 3 attempts/,
    );
    expect(await drain(queue, 11)).toHaveLength(11);
    sqs.clearFaults();
  });

  it("hides a received message for the visibility timeout, then delivers it again with a higher count", async () => {
    const queue = await make();
    await queue.send("light", [{ job: "j", task: "t" }]);
    const [first] = await queue.receive("light", { maxMessages: 1, waitMs: 0, visibilityMs: 1000 });
    expect(first?.receiveCount).toBe(1);
    expect(await queue.receive("light", { maxMessages: 1, waitMs: 0, visibilityMs: 1000 })).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 1300));
    const [second] = await queue.receive("light", { maxMessages: 1, waitMs: 1000, visibilityMs: 5000 });
    expect(second).toMatchObject({ body: { job: "j", task: "t" }, receiveCount: 2 });

    await queue.extendVisibility("light", second!.receipt, 0); // give it back at once
    const [third] = await queue.receive("light", { maxMessages: 1, waitMs: 1000, visibilityMs: 1000 });
    expect(third?.receiveCount).toBe(3);
    await queue.extendVisibility("light", third!.receipt, 10_000);
    await new Promise((resolve) => setTimeout(resolve, 1300));
    expect(await queue.receive("light", { maxMessages: 1, waitMs: 0, visibilityMs: 1000 })).toEqual([]);
    await queue.delete("light", third!.receipt);
  });

  it("deletes a message for good", async () => {
    const queue = await make();
    await queue.send("light", [{ job: "j", task: "gone" }]);
    const [message] = await queue.receive("light", { maxMessages: 1, waitMs: 1000, visibilityMs: 1000 });
    await queue.delete("light", message!.receipt);
    await new Promise((resolve) => setTimeout(resolve, 1300));
    expect(await queue.receive("light", { maxMessages: 10, waitMs: 1000, visibilityMs: 1000 })).toEqual([]);
  });

  it("carries an audit request on the heavy queue as {audit}, beside task messages", async () => {
    const queue = await make();
    await queue.send("heavy", [{ audit: "aip-1" }, { job: "job-2", task: "task-9" }]);
    const got = await queue.receive("heavy", { maxMessages: 10, waitMs: 1000, visibilityMs: 30_000 });
    expect(got.map((m) => m.body).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual(
      [{ audit: "aip-1" }, { job: "job-2", task: "task-9" }],
    );
    expect(() => taskOf({ audit: "aip-1" })).toThrow(/audit request \(AIP aip-1\)/);
  });

  it("leaves a malformed body for the dead-letter queue, logging it", async () => {
    const { url, dlqUrl } = await sqs.createQueue(2);
    const queue = new SqsTaskQueue({
      queueUrls: { light: url, heavy: url },
      client: sqs.client,
      logger: { warn: (message, extra) => warnings.push(`${message} ${JSON.stringify(extra)}`) },
    });
    await sqs.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: '{"job":"j"}' }));
    await sqs.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "not json" }));
    warnings.length = 0;
    expect(await queue.receive("light", { maxMessages: 10, waitMs: 1000, visibilityMs: 1000 })).toEqual([]);
    expect(warnings.filter((w) => w.includes("left for the dead-letter queue"))).toHaveLength(2);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(await queue.receive("light", { maxMessages: 10, waitMs: 1000, visibilityMs: 1000 })).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    // received maxReceiveCount times: the next receive moves them to the dead-letter queue
    expect(await queue.receive("light", { maxMessages: 10, waitMs: 0, visibilityMs: 1000 })).toEqual([]);
    const dead = await sqs.client.send(
      new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    expect((dead.Messages ?? []).map((m) => m.Body).sort()).toEqual(["not json", '{"job":"j"}']);
  });

  it("returns from a long poll as soon as a message arrives", async () => {
    const queue = await make();
    const started = Date.now();
    setTimeout(() => void queue.send("light", [{ job: "j", task: "late" }]), 300);
    const got = await queue.receive("light", { maxMessages: 10, waitMs: 10_000, visibilityMs: 1000 });
    expect(got.map((m) => taskOf(m.body).task)).toEqual(["late"]);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it("returns nothing when the long poll is aborted", async () => {
    const queue = await make();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const started = Date.now();
    expect(
      await queue.receive("light", {
        maxMessages: 10,
        waitMs: 5000,
        visibilityMs: 1000,
        signal: controller.signal,
      }),
    ).toEqual([]);
    expect(Date.now() - started).toBeLessThan(4000);
  });
});

await runSharedContract("task-queue", "sqs (local SQS JSON-protocol server)", make);
