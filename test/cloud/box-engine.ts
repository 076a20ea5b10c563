/**
 * The cloud-in-a-box's Step Functions, swappable: our in-process interpreter (LocalWorkflowEngine),
 * or moto's server running the same definitions with its own States Language interpreter, reached
 * through our SfnEngine adapter exactly as the handlers reach Step Functions on AWS (its Task states
 * invoke the dispatch-job handler through moto's Lambda Invoke, fronted by the test's proxy).
 *
 * `timeScale` runs the heartbeat clock faster for scenarios that span minutes: every HeartbeatSeconds
 * of the compiled definitions is multiplied by it (at least 1 s), and the scenario scales its own
 * waits (a worker pool's start, the watchdog's period) by the same factor. Timeouts stay as they are
 * (hours): the work itself does not run faster.
 */
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
} from "@aws-sdk/client-sfn";
import { SfnEngine } from "../../functions/adapters/aws/sfn-engine.ts";
import type { ExecutionStore } from "../../functions/adapters/local/execution-store.ts";
import { LOCAL_ARNS, LocalWorkflowEngine } from "../../functions/adapters/local/local-engine.ts";
import type { SqlClient } from "../../functions/ports/sql.ts";
import type { WorkflowEngine, WorkflowName } from "../../functions/ports/workflow-engine.ts";
import { type AslDefinition, type Substitution, substitute } from "../../workflows/compile.ts";
import { compiled } from "../../workflows/index.ts";
import { startMotoServer } from "../helpers/local-aws/moto-server.ts";

export type EngineKind = "local" | "moto";

export interface ExecutionOutcome {
  status: "SUCCEEDED" | "FAILED" | string;
  error: string | null;
  cause: string | null;
}

export interface BoxEngine {
  kind: EngineKind;
  /** Step Functions as the handlers see it. */
  api: WorkflowEngine & { hasRunningExecutions(): Promise<boolean> };
  arns: Record<WorkflowName, string>;
  waitFor(executionId: string, timeoutMs?: number): Promise<ExecutionOutcome>;
  /** moto's Step Functions client (null for our interpreter). */
  sfn: SFNClient | null;
  stop(): Promise<void>;
}

/** Multiplies every state's HeartbeatSeconds (at least 1 s). */
export function scaleDefinition(definition: AslDefinition, scale: number): AslDefinition {
  if (scale === 1) return definition;
  const states = Object.fromEntries(
    Object.entries(definition.States).map(([name, state]) => {
      const scaled: Record<string, unknown> = { ...state };
      const s = (value: unknown) => Math.max(1, Math.round(Number(value) * scale));
      if (typeof state.HeartbeatSeconds === "number") scaled.HeartbeatSeconds = s(state.HeartbeatSeconds);
      return [name, scaled];
    }),
  );
  return { ...definition, States: states };
}

export async function openBoxEngine(options: {
  kind: EngineKind;
  timeScale: number;
  executions: ExecutionStore;
  /** Where the local engine's executions are (the box's schema). */
  sql: SqlClient;
  dispatch: (payload: Record<string, unknown>) => Promise<unknown>;
}): Promise<BoxEngine> {
  const definition = (workflow: WorkflowName, arns: Record<Substitution, string>) =>
    scaleDefinition(substitute(compiled(workflow), arns), options.timeScale);
  if (options.kind === "local") {
    const engine = new LocalWorkflowEngine({
      definitions: { transfer: definition("transfer", LOCAL_ARNS), ingest: definition("ingest", LOCAL_ARNS) },
      executions: options.executions,
      dispatchJob: async (payload) => {
        await options.dispatch(payload);
      },
    });
    const api = {
      startExecution: engine.startExecution.bind(engine),
      sendTaskSuccess: engine.sendTaskSuccess.bind(engine),
      sendTaskFailure: engine.sendTaskFailure.bind(engine),
      sendTaskHeartbeat: engine.sendTaskHeartbeat.bind(engine),
      hasRunningExecutions: async () =>
        (await options.sql.query("select 1 from executions where status = 'RUNNING' limit 1")).rows.length >
        0,
    };
    return {
      kind: "local",
      api,
      arns: {
        transfer: LOCAL_ARNS.IngestStateMachineArn.replace("ingest", "transfer"),
        ingest: LOCAL_ARNS.IngestStateMachineArn,
      },
      waitFor: (executionId) => engine.waitFor(executionId),
      sfn: null,
      stop: async () => engine.stop(),
    };
  }

  const moto = await startMotoServer();
  const clientConfig = {
    region: moto.region,
    endpoint: moto.endpoint,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  };
  const sfn = new SFNClient(clientConfig);
  const dispatchArn = `arn:aws:lambda:${moto.region}:${moto.accountId}:function:stepmatica-dispatch-job`;
  moto.registerFunction(dispatchArn, (event) => options.dispatch(event as Record<string, unknown>));
  const roleArn = `arn:aws:iam::${moto.accountId}:role/stepmatica-box`;
  const create = async (workflow: WorkflowName, ingestArn: string) => {
    const created = await sfn.send(
      new CreateStateMachineCommand({
        name: `stepmatica-box-${workflow}`,
        roleArn,
        definition: JSON.stringify(
          definition(workflow, { DispatchJobFunctionArn: dispatchArn, IngestStateMachineArn: ingestArn }),
        ),
      }),
    );
    return created.stateMachineArn!;
  };
  const ingest = await create("ingest", "unused");
  const transfer = await create("transfer", ingest);
  const arns = { transfer, ingest };
  const api = new SfnEngine({ stateMachineArns: arns, clientConfig, logger: { warn: () => {} } });
  return {
    kind: "moto",
    api,
    arns,
    sfn,
    async waitFor(executionArn, timeoutMs = 600_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const e = await sfn.send(new DescribeExecutionCommand({ executionArn }));
        if (e.status !== "RUNNING")
          return { status: e.status ?? "UNKNOWN", error: e.error ?? null, cause: e.cause ?? null };
        if (Date.now() > deadline) throw new Error(`execution ${executionArn} still running`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
    async stop() {
      // Executions still running (a failed scenario) would keep calling dispatch-job.
      for (const stateMachineArn of Object.values(arns)) {
        await sfn
          .send(new ListExecutionsCommand({ stateMachineArn, statusFilter: "RUNNING" }))
          .catch(() => null);
      }
      sfn.destroy();
      await moto.close();
    },
  };
}

/** The id an engine knows an execution by: our interpreter's id, or the execution's ARN on moto. */
export function executionIdOf(engine: BoxEngine, workflow: WorkflowName, name: string): string {
  if (engine.kind === "local") return LocalWorkflowEngine.executionId(workflow, name);
  return `${engine.arns[workflow].replace(":stateMachine:", ":execution:")}:${name}`;
}
