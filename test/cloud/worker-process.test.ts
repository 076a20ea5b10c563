import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { mkdtemp } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Box, openBox } from "./box.ts";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
let box: Box;
let agent: Server;
const protection: Array<Record<string, unknown>> = [];

beforeAll(async () => {
  box = await openBox({ defaultConfig: "automated", logLevel: "ERROR" });
  // The ECS container agent's task-protection endpoint, as the worker sees it through ECS_AGENT_URI.
  agent = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => {
      protection.push({ method: request.method, url: request.url, ...JSON.parse(body || "{}") });
      response.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  agent.listen(0, "127.0.0.1");
  await once(agent, "listening");
}, 60_000);

afterAll(async () => {
  agent?.close();
  await box?.close();
});

function startWorker(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(process.execPath, ["--import", "tsx", "functions/worker/main.ts"], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH ?? "",
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "local",
      AWS_SECRET_ACCESS_KEY: "local",
      AWS_ENDPOINT_URL_SQS: box.sqs.endpoint,
      AWS_ENDPOINT_URL_RDS_DATA: box.dataApiEndpoint,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  child.stdout!.on("data", (chunk) => {
    text += chunk;
  });
  child.stderr!.on("data", (chunk) => {
    text += chunk;
  });
  return { child, output: () => text };
}

async function until(what: string, condition: () => boolean, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("the ECS worker process", () => {
  it("takes a heavy message under scale-in protection, deletes it, and exits 0 on SIGTERM", async () => {
    const agentUri = `http://127.0.0.1:${(agent.address() as AddressInfo).port}/v4/abc`;
    const worker = startWorker({ ...box.rawEnv, ECS_AGENT_URI: agentUri, WORKER_STOP_GRACE_SECONDS: "5" });
    const exited = once(worker.child, "exit");
    await until("the worker to start", () => worker.output().includes('"worker started"'));
    const deletes = () => box.sqs.requests.filter((r) => r.operation === "DeleteMessage").length;
    const deletesBefore = deletes();
    // A message for a task that does not exist: the runner finds nothing to do and the message is deleted.
    await box.runtime.queue.send("heavy", [{ job: randomUUID(), task: randomUUID() }]);
    await until("protection on and off", () => protection.length >= 2);
    expect(protection).toEqual([
      {
        method: "PUT",
        url: "/v4/abc/task-protection/v1/state",
        ProtectionEnabled: true,
        ExpiresInMinutes: 60,
      },
      { method: "PUT", url: "/v4/abc/task-protection/v1/state", ProtectionEnabled: false },
    ]);
    await until("the message to be deleted", () => deletes() > deletesBefore);
    worker.child.kill("SIGTERM");
    const [code] = (await exited) as [number | null];
    expect(code, worker.output()).toBe(0);
    expect(worker.output()).toContain('"worker stopping: finishing or releasing the running task"');
    expect(worker.output()).toContain('"worker stopped"');
  }, 60_000);

  it("refuses to start without official signatures when they are required (production)", async () => {
    const empty = await mkdtemp(path.join(box.scratch, "no-signatures-"));
    const worker = startWorker({
      ...box.rawEnv,
      STEPMATICA_REQUIRE_OFFICIAL_SIGNATURES: "true",
      STEPMATICA_CLAMAV_DB_DIR: empty,
      STEPMATICA_CLAMAV_IMAGE_DB_DIR: empty,
    });
    const [code] = (await once(worker.child, "exit")) as [number | null];
    expect(code).toBe(1);
    expect(worker.output()).toContain(
      `stepmatica worker cannot start: STEPMATICA_REQUIRE_OFFICIAL_SIGNATURES=true but there is no official ClamAV database in ${empty}`,
    );
  }, 30_000);

  it("refuses to start without its environment, naming what is missing", async () => {
    const { DB_NAME: _name, ...partial } = box.rawEnv;
    const worker = startWorker(partial);
    const [code] = (await once(worker.child, "exit")) as [number | null];
    expect(code).toBe(1);
    expect(worker.output()).toMatch(/stepmatica cannot start: DB_NAME is not set/);
  }, 30_000);
});
