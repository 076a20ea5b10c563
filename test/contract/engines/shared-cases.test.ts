/**
 * One suite of small definitions (asl-cases.ts) on both engines: our in-process interpreter and
 * moto's Step Functions interpreter behind moto's server, reached through our own AWS adapter
 * (SfnEngine) exactly as the handlers reach Step Functions. Same definition, same dispatch
 * behaviour, same outcome.
 */
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from "@aws-sdk/client-sfn";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SfnEngine } from "../../../functions/adapters/aws/sfn-engine.ts";
import { ExecutionStore } from "../../../functions/adapters/local/execution-store.ts";
import { LOCAL_ARNS, LocalWorkflowEngine } from "../../../functions/adapters/local/local-engine.ts";
import { PgliteSql } from "../../../functions/adapters/sql/pglite.ts";
import { migrate } from "../../../functions/core/store/migrations.ts";
import { substitute } from "../../../workflows/compile.ts";
import { LambdaServiceError, type MotoServer, startMotoServer } from "../../helpers/local-aws/moto-server.ts";
import { ASL_CASES, type AslCase, LambdaServiceFailure, type Outcome } from "./asl-cases.ts";

const MOTO_FUNCTION = "arn:aws:lambda:us-east-1:123456789012:function:stepmatica-dispatch-job";

interface Observed {
  outcome: Outcome;
  tokens: string[];
}

let sql: PgliteSql;
let moto: MotoServer;
let sfn: SFNClient;
let handlerApi: SfnEngine;
let motoDispatch: (payload: Record<string, unknown>) => Promise<void> = async () => {};
let machines = 0;

beforeAll(async () => {
  [sql, moto] = await Promise.all([PgliteSql.open(), startMotoServer()]);
  await migrate(sql);
  const clientConfig = {
    region: moto.region,
    endpoint: moto.endpoint,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  };
  sfn = new SFNClient(clientConfig);
  handlerApi = new SfnEngine({
    stateMachineArns: { transfer: "unused", ingest: "unused" },
    clientConfig,
    logger: { warn: () => {} },
  });
  moto.registerFunction(MOTO_FUNCTION, async (event) => {
    try {
      await motoDispatch(event as Record<string, unknown>);
      return { status: "dispatched" };
    } catch (error) {
      // The Lambda service failing the Invoke, not the function: Step Functions sees Lambda.ServiceException.
      if (error instanceof LambdaServiceFailure) throw new LambdaServiceError("ServiceException");
      throw error;
    }
  });
}, 90_000);
afterAll(async () => {
  sfn?.destroy();
  await moto?.close();
  await sql?.close();
});

async function runLocally(c: AslCase): Promise<Observed> {
  const tokens: string[] = [];
  const engine: LocalWorkflowEngine = new LocalWorkflowEngine({
    definitions: {
      transfer: substitute(c.definition, LOCAL_ARNS),
      ingest: substitute(c.definition, LOCAL_ARNS),
    },
    executions: new ExecutionStore(sql),
    dispatchJob: async (payload) => {
      tokens.push(String(payload.token));
      await c.dispatch?.(payload, tokens.length, engine);
    },
  });
  const { executionId } = await engine.startExecution(
    "transfer",
    `case-${tokens.length}-${Date.now()}`,
    c.input,
  );
  const { status, error, cause } = await engine.waitFor(executionId);
  return { outcome: { status, error, cause }, tokens };
}

async function runOnMoto(c: AslCase): Promise<Observed> {
  const tokens: string[] = [];
  motoDispatch = async (payload) => {
    tokens.push(String(payload.token));
    await c.dispatch?.(payload, tokens.length, handlerApi);
  };
  machines += 1;
  const definition = substitute(c.definition, {
    DispatchJobFunctionArn: MOTO_FUNCTION,
    IngestStateMachineArn: "unused",
  });
  const stateMachineArn = await moto.createStateMachine(`case-${machines}`, JSON.stringify(definition));
  const { executionArn } = await sfn.send(
    new StartExecutionCommand({ stateMachineArn, name: "run", input: JSON.stringify(c.input) }),
  );
  const deadline = Date.now() + 40_000;
  while (Date.now() < deadline) {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status === "SUCCEEDED" || d.status === "FAILED") {
      return { outcome: { status: d.status, error: d.error ?? null, cause: d.cause ?? null }, tokens };
    }
    if (d.status !== "RUNNING") throw new Error(`${c.name}: moto execution ${d.status}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${c.name}: moto's execution did not end within 40 s\n${moto.output().slice(-3000)}`);
}

function check(c: AslCase, observed: Observed, engine: string): void {
  const { cause, ...outcome } = observed.outcome;
  const { cause: expectedCause, ...expected } = c.expected;
  expect(outcome, `${engine}: ${c.name} (cause: ${cause})`).toEqual(expected);
  if (c.compareCause) expect(cause, `${engine}: cause`).toBe(expectedCause);
  if (c.calls !== undefined) expect(observed.tokens.length, `${engine}: dispatch calls`).toBe(c.calls);
  if (c.distinctTokens !== undefined) {
    expect(new Set(observed.tokens).size, `${engine}: a new task token per attempt`).toBe(c.distinctTokens);
  }
}

describe("the shared small-definition suite gives the same outcome on both engines", () => {
  for (const c of ASL_CASES) {
    it(c.name, async () => {
      const [local, onMoto] = await Promise.all([runLocally(c), runOnMoto(c)]);
      check(c, local, "local engine");
      check(c, onMoto, "moto");
    }, 60_000);
  }
});
