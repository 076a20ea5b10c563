import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executionName, SfnEngine } from "../../../functions/adapters/aws/sfn-engine.ts";
import { type SfnServer, startSfnServer } from "../../helpers/local-aws/sfn-server.ts";

const TRANSFER = "arn:aws:states:us-east-1:123456789012:stateMachine:stepmatica-transfer";
const INGEST = "arn:aws:states:us-east-1:123456789012:stateMachine:stepmatica-ingest";
let server: SfnServer;
const warnings: string[] = [];

function make(): SfnEngine {
  return new SfnEngine({
    stateMachineArns: { transfer: TRANSFER, ingest: INGEST },
    clientConfig: {
      region: "us-east-1",
      endpoint: server.endpoint,
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    },
    logger: { warn: (message, extra) => warnings.push(`${message} ${JSON.stringify(extra)}`) },
  });
}

beforeAll(async () => {
  server = await startSfnServer([TRANSFER, INGEST]);
});
afterAll(async () => {
  await server?.close();
});

describe("executionName", () => {
  it("keeps valid names and maps others deterministically into SFN's rules", () => {
    expect(executionName("transfer-abc_1")).toBe("transfer-abc_1");
    const long = `bucket/transfers/${"x".repeat(200)}.zip#v1`;
    const safe = executionName(long);
    expect(safe).toHaveLength(80);
    expect(safe).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(executionName(long)).toBe(safe);
    expect(executionName("a/b")).not.toBe(executionName("a:b"));
    expect(executionName("")).toMatch(/^-[0-9a-f]{16}$/);
  });
});

describe("SfnEngine against a Step Functions API", () => {
  it("starts once per name: a repeated start is alreadyStarted, other input is an error", async () => {
    const engine = make();
    const first = await engine.startExecution("transfer", "my-bucket/transfers/a b.zip", { key: "a b.zip" });
    expect(first.alreadyStarted).toBe(false);
    expect(first.executionId).toMatch(
      /^arn:aws:states:us-east-1:123456789012:execution:stepmatica-transfer:/,
    );
    expect(server.executions.get(first.executionId)?.input).toBe('{"key":"a b.zip"}');

    // SFN's own idempotency: same name + input while running → the original execution, success.
    server.backdate(first.executionId, 60);
    const again = await engine.startExecution("transfer", "my-bucket/transfers/a b.zip", { key: "a b.zip" });
    expect(again).toEqual({ executionId: first.executionId, alreadyStarted: true });

    // A closed execution with the same name and input: ExecutionAlreadyExists, still a duplicate.
    server.stop(first.executionId);
    const closed = await engine.startExecution("transfer", "my-bucket/transfers/a b.zip", { key: "a b.zip" });
    expect(closed).toEqual({ executionId: first.executionId, alreadyStarted: true });

    await expect(
      engine.startExecution("transfer", "my-bucket/transfers/a b.zip", { key: "other" }),
    ).rejects.toThrow(/already exists with different input/);
    expect([...server.executions.values()].filter((e) => e.executionArn === first.executionId)).toHaveLength(
      1,
    );
  });

  it("routes each workflow to its own state machine", async () => {
    const started = await make().startExecution("ingest", "sip-1", { unit: "u1" });
    expect(server.executions.get(started.executionId)?.stateMachineArn).toBe(INGEST);
  });

  it("sends task success, heartbeat and failure; repeated sends after a settled job are no-ops", async () => {
    const engine = make();
    const { executionId } = await engine.startExecution("transfer", "tokens", {});
    const token = server.issueToken(executionId);
    await engine.sendTaskHeartbeat(token);
    await engine.sendTaskSuccess(token, { exitCode: 1 });
    expect(server.tokens.get(token)).toMatchObject({
      state: "settled",
      heartbeats: 1,
      result: { output: { exitCode: 1 } },
    });
    warnings.length = 0;
    await engine.sendTaskSuccess(token, { exitCode: 1 }); // the redelivered completer
    await engine.sendTaskHeartbeat(token);
    expect(warnings.join("\n")).toMatch(/TaskTimedOut/);

    const timedOut = server.issueToken(executionId);
    server.timeOut(timedOut);
    await engine.sendTaskFailure(timedOut, "JobCannotRun", "reason");
    const failing = server.issueToken(executionId);
    await engine.sendTaskFailure(failing, "E".repeat(300), "cause");
    expect(server.tokens.get(failing)?.result).toEqual({
      kind: "failure",
      error: "E".repeat(256),
      cause: "cause",
    });

    await engine.sendTaskSuccess("not-a-token", {});
    expect(warnings.join("\n")).toMatch(/InvalidToken/);
    const orphan = server.issueToken(executionId);
    server.stop(executionId);
    await engine.sendTaskSuccess(orphan, {});
    expect(warnings.join("\n")).toMatch(/TaskDoesNotExist/);
  });

  it("reaches the endpoint named by AWS_ENDPOINT_URL_SFN when given no client configuration", async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SFN: server.endpoint,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "env",
      AWS_SECRET_ACCESS_KEY: "env",
    });
    try {
      const engine = new SfnEngine({ stateMachineArns: { transfer: TRANSFER, ingest: INGEST } });
      const started = await engine.startExecution("ingest", "from-env", { a: 1 });
      expect(server.executions.get(started.executionId)?.input).toBe('{"a":1}');
    } finally {
      process.env = saved;
    }
  });

  it("lets other errors through", async () => {
    const engine = new SfnEngine({
      stateMachineArns: { transfer: `${TRANSFER}-missing`, ingest: INGEST },
      clientConfig: {
        region: "us-east-1",
        endpoint: server.endpoint,
        credentials: { accessKeyId: "l", secretAccessKey: "l" },
      },
    });
    await expect(engine.startExecution("transfer", "x", {})).rejects.toThrow(/State Machine Does Not Exist/);
  });
});
