/**
 * SQS for the tests: moto's server (its visibility timeouts, receipt handles, receive counts, batch
 * validation and redrive to a dead-letter queue) behind a thin proxy that only watches and injects:
 * it records each request's operation (and a batch's entry count), and can fail chosen entries of
 * a SendMessageBatch as SQS does transiently (SenderFault false) — those entries are taken out of
 * the request moto sees and reported in the response's Failed list.
 */
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { type MotoServer, startMotoServer } from "./moto-server.ts";

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

interface BatchEntry {
  Id: string;
  MessageBody?: string;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function forward(
  moto: MotoServer,
  method: string,
  path: string,
  headers: Record<string, string>,
  body: Buffer,
) {
  return new Promise<{ status: number; headers: Record<string, string>; body: Buffer }>((resolve, reject) => {
    const upstream = request(
      `${moto.endpoint}${path}`,
      { method, headers: { ...headers, "content-length": String(body.length) } },
      async (response) => {
        const text = await readAll(response);
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(response.headers))
          if (typeof v === "string" && k !== "content-length" && k !== "transfer-encoding") out[k] = v;
        resolve({ status: response.statusCode ?? 500, headers: out, body: text });
      },
    );
    upstream.on("error", reject);
    upstream.end(body);
  });
}

export async function startLocalSqs(): Promise<LocalSqs> {
  const moto = await startMotoServer();
  const requests: LocalSqs["requests"] = [];
  const faults: Array<{ match: (body: string) => boolean; remaining: number }> = [];
  let queueNumber = 0;

  const server = createServer(async (incoming, outgoing) => {
    try {
      let body = await readAll(incoming);
      const operation = String(incoming.headers["x-amz-target"] ?? "").replace("AmazonSQS.", "");
      const json = operation ? (JSON.parse(body.toString() || "{}") as Record<string, unknown>) : {};
      const entries = Array.isArray(json.Entries) ? (json.Entries as BatchEntry[]) : undefined;
      requests.push(entries ? { operation, entries: entries.length } : { operation });
      const failed: BatchEntry[] = [];
      if (operation === "SendMessageBatch" && entries) {
        const active = faults.filter((f) => f.remaining > 0);
        const kept = entries.filter((entry) => {
          const fail = active.some((f) => f.match(entry.MessageBody ?? ""));
          if (fail) failed.push(entry);
          return !fail;
        });
        for (const f of active) f.remaining--;
        if (failed.length > 0) body = Buffer.from(JSON.stringify({ ...json, Entries: kept }));
      }
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(incoming.headers))
        if (typeof v === "string" && k !== "content-length") headers[k] = v;
      let reply =
        failed.length > 0 && failed.length === entries?.length
          ? {
              status: 200,
              headers: { "content-type": "application/x-amz-json-1.0" },
              body: Buffer.from("{}"),
            }
          : await forward(moto, incoming.method ?? "POST", incoming.url ?? "/", headers, body);
      if (failed.length > 0 && reply.status === 200) {
        const answer = JSON.parse(reply.body.toString() || "{}") as {
          Successful?: unknown[];
          Failed?: unknown[];
        };
        const injected = failed.map((e) => ({
          Id: e.Id,
          SenderFault: false,
          Code: "InternalError",
          Message: "injected",
        }));
        reply = {
          ...reply,
          body: Buffer.from(
            JSON.stringify({
              Successful: answer.Successful ?? [],
              Failed: [...(answer.Failed ?? []), ...injected],
            }),
          ),
        };
      }
      outgoing.writeHead(reply.status, { ...reply.headers, "content-length": String(reply.body.length) });
      outgoing.end(reply.body);
    } catch (error) {
      outgoing.writeHead(500, { "content-type": "application/x-amz-json-1.0" });
      outgoing.end(JSON.stringify({ __type: "InternalFailure", message: String(error) }));
    }
  });
  server.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const client = new SQSClient({ region: moto.region, endpoint, credentials: moto.credentials });

  return {
    endpoint,
    client,
    requests,
    async createQueue(maxReceiveCount = 5) {
      const n = ++queueNumber;
      const dlq = await client.send(new CreateQueueCommand({ QueueName: `q${n}-dlq` }));
      const { Attributes } = await client.send(
        new GetQueueAttributesCommand({ QueueUrl: dlq.QueueUrl!, AttributeNames: ["QueueArn"] }),
      );
      const redrive = JSON.stringify({ deadLetterTargetArn: Attributes!.QueueArn, maxReceiveCount });
      const queue = await client.send(
        new CreateQueueCommand({ QueueName: `q${n}`, Attributes: { RedrivePolicy: redrive } }),
      );
      return { url: queue.QueueUrl!, dlqUrl: dlq.QueueUrl! };
    },
    failEntries(match, times) {
      faults.push({ match, remaining: times });
    },
    clearFaults() {
      faults.length = 0;
    },
    async close() {
      client.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await moto.close();
    },
  };
}
