/**
 * The Step Functions adapter against moto's server (its Step Functions interpreter running a small
 * machine whose Task waits for a token, as every compiled job state does): starts, idempotency, and
 * the token calls with the errors the service answers for settled, finished and unknown tokens.
 */
import { DescribeExecutionCommand, SFNClient, StopExecutionCommand } from "@aws-sdk/client-sfn";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { executionName, SfnEngine } from "../../../functions/adapters/aws/sfn-engine.ts";
import { WAIT_FOR_TASK_TOKEN } from "../../../workflows/compile.ts";
import { type MotoServer, startMotoServer } from "../../helpers/local-aws/moto-server.ts";

const TRANSFER = "arn:aws:states:us-east-1:123456789012:stateMachine:stepmatica-transfer";
const INGEST = "arn:aws:states:us-east-1:123456789012:stateMachine:stepmatica-ingest";
const FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:stepmatica-dispatch-job";
let moto: MotoServer;
let sfn: SFNClient;
const warnings: string[] = [];
/** The task tokens dispatch-job was invoked with, by execution. */
const tokens = new Map<string, string>();

const clientConfig = () => ({
  region: "us-east-1",
  endpoint: moto.endpoint,
  credentials: { accessKeyId: "local", secretAccessKey: "local" },
});

function make(options: { clockSkewMs?: number } = {}): SfnEngine {
  return new SfnEngine({
    stateMachineArns: { transfer: TRANSFER, ingest: INGEST },
    clientConfig: clientConfig(),
    logger: { warn: (message, extra) => warnings.push(`${message} ${JSON.stringify(extra)}`) },
    ...options,
  });
}

/** One job state: waits for its token (no Catch: a task failure fails the execution with its error). */
const JOB_MACHINE = JSON.stringify({
  StartAt: "job",
  States: {
    job: {
      Type: "Task",
      Resource: WAIT_FOR_TASK_TOKEN,
      Parameters: {
        FunctionName: FUNCTION,
        Payload: { "token.$": "$$.Task.Token", "execution.$": "$$.Execution.Id" },
      },
      TimeoutSeconds: 120,
      HeartbeatSeconds: 60,
      End: true,
    },
  },
});

async function tokenOf(executionArn: string): Promise<string> {
  for (let i = 0; i < 200 && !tokens.has(executionArn); i++) await new Promise((r) => setTimeout(r, 50));
  const token = tokens.get(executionArn);
  if (!token) throw new Error(`no task token for ${executionArn}`);
  return token;
}

async function describeWhenDone(executionArn: string) {
  for (let i = 0; i < 200; i++) {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status !== "RUNNING") return d;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${executionArn} still running`);
}

beforeAll(async () => {
  moto = await startMotoServer();
  sfn = new SFNClient(clientConfig());
  moto.registerFunction(FUNCTION, async (event) => {
    const { token, execution } = event as { token: string; execution: string };
    tokens.set(execution, token);
    return { status: "dispatched" };
  });
  for (const arn of [TRANSFER, INGEST]) await moto.createStateMachine(arn.split(":").pop()!, JOB_MACHINE);
}, 90_000);
afterAll(async () => {
  sfn?.destroy();
  await moto?.close();
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

describe("SfnEngine against moto's Step Functions", () => {
  it("starts once per name: a repeated start is alreadyStarted, other input is an error", async () => {
    const engine = make({ clockSkewMs: 0 });
    const first = await engine.startExecution("transfer", "my-bucket/transfers/a b.zip", { key: "a b.zip" });
    expect(first.alreadyStarted).toBe(false);
    expect(first.executionId).toMatch(
      /^arn:aws:states:us-east-1:123456789012:execution:stepmatica-transfer:/,
    );
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: first.executionId }));
    expect(described.input).toBe('{"key":"a b.zip"}');

    // The service's own idempotency: same name + input while running → the original execution.
    await new Promise((r) => setTimeout(r, 50));
    const again = await engine.startExecution("transfer", "my-bucket/transfers/a b.zip", { key: "a b.zip" });
    expect(again).toEqual({ executionId: first.executionId, alreadyStarted: true });

    // A closed execution with the same name and input: ExecutionAlreadyExists, still a duplicate.
    await sfn.send(new StopExecutionCommand({ executionArn: first.executionId }));
    const closed = await engine.startExecution("transfer", "my-bucket/transfers/a b.zip", { key: "a b.zip" });
    expect(closed).toEqual({ executionId: first.executionId, alreadyStarted: true });

    await expect(
      engine.startExecution("transfer", "my-bucket/transfers/a b.zip", { key: "other" }),
    ).rejects.toThrow(/already exists with different input/);
  });

  it("routes each workflow to its own state machine", async () => {
    const started = await make().startExecution("ingest", "sip-1", { unit: "u1" });
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionId }));
    expect(described.stateMachineArn).toBe(INGEST);
  });

  it("sends task success, heartbeat and failure; repeated sends after a settled job are no-ops", async () => {
    const engine = make();
    const { executionId } = await engine.startExecution("transfer", "tokens", {});
    const token = await tokenOf(executionId);
    await engine.sendTaskHeartbeat(token);
    await engine.sendTaskSuccess(token, { exitCode: 1 });
    const done = await describeWhenDone(executionId);
    expect(done.status).toBe("SUCCEEDED");
    expect(JSON.parse(done.output!)).toEqual({ exitCode: 1 });
    warnings.length = 0;
    await engine.sendTaskSuccess(token, { exitCode: 1 }); // the redelivered completer
    await engine.sendTaskHeartbeat(token);
    expect(warnings).toHaveLength(2);
    expect(warnings.join("\n")).toMatch(/token already settled or timed out/);

    // SendTaskFailure: the error is cut to the service's 256 characters and fails the state.
    const failing = await engine.startExecution("transfer", "failing", {});
    await engine.sendTaskFailure(await tokenOf(failing.executionId), "E".repeat(300), "the cause");
    const failed = await describeWhenDone(failing.executionId);
    expect(failed).toMatchObject({ status: "FAILED", error: "E".repeat(256), cause: "the cause" });

    warnings.length = 0;
    await engine.sendTaskSuccess("not-a-token", {});
    expect(warnings.join("\n")).toMatch(/InvalidToken/);
    expect(warnings).toHaveLength(1);
  });

  it("reaches the endpoint named by AWS_ENDPOINT_URL_SFN when given no client configuration", async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_SFN: moto.endpoint,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "env",
      AWS_SECRET_ACCESS_KEY: "env",
    });
    try {
      const engine = new SfnEngine({ stateMachineArns: { transfer: TRANSFER, ingest: INGEST } });
      const started = await engine.startExecution("ingest", "from-env", { a: 1 });
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn: started.executionId }));
      expect(described.input).toBe('{"a":1}');
    } finally {
      process.env = saved;
    }
  });

  it("lets other errors through", async () => {
    const engine = new SfnEngine({
      stateMachineArns: { transfer: `${TRANSFER}-missing`, ingest: INGEST },
      clientConfig: clientConfig(),
    });
    await expect(engine.startExecution("transfer", "x", {})).rejects.toThrow(
      /does not exist|Does Not Exist/i,
    );
  });
});
