/**
 * Cloud in a box: the AWS adapters wired by the handlers' own runtime (functions/handlers/aws-runtime.ts)
 * to local protocol servers — s3rver for S3, moto's SQS, the Data API server running SQL on
 * the real PostgreSQL — and the real Redis. The state machines are the compiled ASL that CDK deploys,
 * whose Task states invoke the real dispatch-job handler, run by one of two engines:
 * - "local": our in-process interpreter (LocalWorkflowEngine), the embedded default;
 * - "moto": an engine we did not write, moto's server with its Step Functions interpreter
 *   (test/helpers/local-aws/moto-server.ts): the handlers reach it through the production adapter
 *   (SfnEngine, over HTTP), and its Lambda Invoke of dispatch-job reaches the handler.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Logger } from "@aws-lambda-powertools/logger";
import { DescribeExecutionCommand, SFNClient } from "@aws-sdk/client-sfn";
import { Redis } from "ioredis";
import { SfnEngine } from "../../functions/adapters/aws/sfn-engine.ts";
import { ExecutionStore } from "../../functions/adapters/local/execution-store.ts";
import { LOCAL_ARNS, LocalWorkflowEngine } from "../../functions/adapters/local/local-engine.ts";
import { PgSql } from "../../functions/adapters/sql/pg.ts";
import { type AwsRuntime, buildAwsRuntime } from "../../functions/handlers/aws-runtime.ts";
import { createDispatchJobHandler } from "../../functions/handlers/dispatch-job.ts";
import { readEnvironment } from "../../functions/handlers/environment.ts";
import { createRunTasksHandler } from "../../functions/handlers/run-tasks.ts";
import { createStartTransferHandler } from "../../functions/handlers/start-transfer.ts";
import type { WorkflowEngine, WorkflowName } from "../../functions/ports/workflow-engine.ts";
import { TASK_MODULES } from "../../functions/tasks/index.ts";
import { substitute } from "../../workflows/compile.ts";
import { compiled } from "../../workflows/index.ts";
import { startDataApiServer } from "../helpers/local-aws/data-api-server.ts";
import { startMotoServer } from "../helpers/local-aws/moto-server.ts";
import { startLocalSqs } from "../helpers/local-aws/moto-sqs.ts";
import { startLocalS3 } from "../helpers/local-aws/s3-server.ts";
import { DATABASE_URL, REDIS_URL, uniqueName } from "../helpers/services.ts";

export const MAX_TRANSFER_BYTES = 5 * 1024 * 1024;
const credentials = { accessKeyId: "local", secretAccessKey: "local" };

export type Box = Awaited<ReturnType<typeof openBox>>;

export const MOTO_ARNS = {
  transfer: "arn:aws:states:us-east-1:123456789012:stateMachine:stepmatica-box-transfer",
  ingest: "arn:aws:states:us-east-1:123456789012:stateMachine:stepmatica-box-ingest",
  dispatchJob: "arn:aws:lambda:us-east-1:123456789012:function:stepmatica-box-dispatch-job",
} as const;

export interface ExecutionOutcome {
  status: string;
  error: string | null;
  cause: string | null;
}

export async function openBox(options: {
  defaultConfig: "default" | "automated";
  /** Which engine runs the state machines (default: ours, in-process). */
  engine?: "local" | "moto";
  /** The handlers' log level (default INFO). */
  logLevel?: "DEBUG" | "INFO" | "WARN" | "ERROR";
}) {
  process.env.POWERTOOLS_METRICS_DISABLED ??= "true"; // EMF lines would only clutter the test output
  const schema = uniqueName("cloud");
  const redisKeyPrefix = `${uniqueName("cloud")}:inflight:`;
  const scratch = await mkdtemp(path.join(os.tmpdir(), "stepmatica-cloud-"));
  const workRoot = path.join(scratch, "efs");
  const buckets = { transfer: "transfers-box", aip: "aips-box", dip: "dips-box" };

  const admin = await PgSql.open(DATABASE_URL, { schema }).catch((error: unknown) => {
    throw new Error(`PostgreSQL at ${DATABASE_URL} is not reachable (set DATABASE_URL): ${String(error)}`);
  });
  const dataApi = await startDataApiServer({ connectionString: DATABASE_URL, schema });
  const s3 = await startLocalS3(Object.values(buckets));
  const sqs = await startLocalSqs();
  const light = await sqs.createQueue(5);
  const heavy = await sqs.createQueue(5);
  const redis = new Redis(REDIS_URL);
  const moto = options.engine === "moto" ? await startMotoServer() : null;

  const rawEnv: Record<string, string> = {
    STEPMATICA_STAGE: "box",
    STATE_MACHINE_TRANSFER_ARN: moto
      ? MOTO_ARNS.transfer
      : LOCAL_ARNS.IngestStateMachineArn.replace("ingest", "transfer"),
    STATE_MACHINE_INGEST_ARN: moto ? MOTO_ARNS.ingest : LOCAL_ARNS.IngestStateMachineArn,
    LIGHT_QUEUE_URL: light.url,
    HEAVY_QUEUE_URL: heavy.url,
    DB_CLUSTER_ARN: "arn:aws:rds:us-east-1:123456789012:cluster:stepmatica-box",
    DB_SECRET_ARN: "arn:aws:secretsmanager:us-east-1:123456789012:secret:stepmatica-box",
    DB_NAME: "stepmatica",
    REDIS_URL,
    REDIS_CLUSTER: "false",
    TRANSFER_BUCKET: buckets.transfer,
    AIP_BUCKET: buckets.aip,
    DIP_BUCKET: buckets.dip,
    WORK_ROOT: workRoot,
    TRANSFER_PREFIX: "transfers/",
    MAX_TRANSFER_BYTES: String(MAX_TRANSFER_BYTES),
    DEFAULT_CONFIG: options.defaultConfig,
    POWERTOOLS_SERVICE_NAME: "stepmatica-box",
    POWERTOOLS_METRICS_NAMESPACE: "StepmaticaBox",
  };
  const env = readEnvironment(rawEnv);

  // The engine is Step Functions' stand-in; its Task states call the real dispatch-job handler.
  let dispatch: (payload: unknown) => Promise<unknown> = async () => {
    throw new Error("dispatch-job handler not wired yet");
  };
  const executions = new ExecutionStore(admin);
  const engine = moto
    ? null
    : new LocalWorkflowEngine({
        definitions: {
          transfer: substitute(compiled("transfer"), LOCAL_ARNS),
          ingest: substitute(compiled("ingest"), LOCAL_ARNS),
        },
        executions,
        dispatchJob: async (payload) => {
          await dispatch(payload);
        },
      });
  const sfnClientConfig = moto ? { region: moto.region, endpoint: moto.endpoint, credentials } : undefined;
  const stepFunctions: WorkflowEngine = moto
    ? new SfnEngine({ stateMachineArns: MOTO_ARNS, clientConfig: sfnClientConfig })
    : engine!;
  /** What Lambda.Invoke of dispatch-job does on moto (tests may wrap it to inject Lambda's failures). */
  let invokeDispatchJob: (event: unknown) => Promise<unknown> = (event) => dispatch(event);
  if (moto) {
    const substitutions = {
      DispatchJobFunctionArn: MOTO_ARNS.dispatchJob,
      IngestStateMachineArn: MOTO_ARNS.ingest,
    };
    for (const workflow of ["ingest", "transfer"] as const) {
      const definition = JSON.stringify(substitute(compiled(workflow), substitutions));
      await moto.createStateMachine(MOTO_ARNS[workflow].split(":").pop()!, definition);
    }
    moto.registerFunction(MOTO_ARNS.dispatchJob, (event) => invokeDispatchJob(event));
  }
  const sfn = moto ? new SFNClient(sfnClientConfig!) : null;
  // Step Functions as the handlers reach it; lostTaskSuccesses makes the next calls fail in flight
  // (a dropped connection), as a lost SendTaskSuccess would.
  let lostTaskSuccesses = 0;
  const handlerEngine: WorkflowEngine = {
    startExecution: (workflow, name, input) => stepFunctions.startExecution(workflow, name, input),
    sendTaskSuccess: async (token, output) => {
      if (lostTaskSuccesses > 0) {
        lostTaskSuccesses -= 1;
        throw new Error("SendTaskSuccess: socket hang up (injected)");
      }
      return stepFunctions.sendTaskSuccess(token, output);
    },
    sendTaskFailure: (token, error, cause) => stepFunctions.sendTaskFailure(token, error, cause),
    sendTaskHeartbeat: (token) => stepFunctions.sendTaskHeartbeat(token),
  };
  const runtime: AwsRuntime = buildAwsRuntime(env, {
    clients: {
      s3: { ...s3.clientConfig },
      sqs: { region: "us-east-1", endpoint: sqs.endpoint, credentials },
      rdsData: { region: "us-east-1", endpoint: dataApi.endpoint, credentials },
    },
    engine: handlerEngine,
    redisKeyPrefix,
    taskModules: async () => TASK_MODULES,
    logger: new Logger({ serviceName: env.POWERTOOLS_SERVICE_NAME, logLevel: options.logLevel ?? "INFO" }),
  });
  await runtime.store.migrate(); // on AWS: the migrate custom resource at deploy time
  dispatch = createDispatchJobHandler(runtime);

  return {
    env,
    /** The variables as the infrastructure sets them (for a worker process). */
    rawEnv,
    runtime,
    /** Our in-process engine (null when moto runs the state machines). */
    engine,
    /** moto's server (null with the local engine). */
    moto,
    sfn,
    /** Replaces what moto's Lambda Invoke of dispatch-job does (it gets the real handler to call). */
    wrapDispatchJobInvoke(
      wrap: (event: unknown, handler: (event: unknown) => Promise<unknown>) => Promise<unknown>,
    ): void {
      invokeDispatchJob = (event) => wrap(event, dispatch);
    },
    /** An execution's end, on either engine. */
    async waitForExecution(
      workflow: WorkflowName,
      name: string,
      timeoutMs = 60_000,
    ): Promise<ExecutionOutcome> {
      if (engine) return engine.waitFor(LocalWorkflowEngine.executionId(workflow, name));
      const executionArn = `${MOTO_ARNS[workflow].replace(":stateMachine:", ":execution:")}:${name}`;
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const d = await sfn!.send(new DescribeExecutionCommand({ executionArn }));
        if (d.status !== "RUNNING")
          return { status: d.status!, error: d.error ?? null, cause: d.cause ?? null };
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error(`${executionArn} still running after ${timeoutMs} ms`);
    },
    admin,
    sqs,
    s3,
    redis,
    redisKeyPrefix,
    queues: { light, heavy },
    dataApiEndpoint: dataApi.endpoint,
    scratch,
    startTransfer: createStartTransferHandler(runtime),
    dispatchJob: createDispatchJobHandler(runtime),
    runTasks: createRunTasksHandler(runtime),
    /** Drops this run's in-flight sets, as a cache flush or failover would. */
    /** The next `n` SendTaskSuccess calls from the handlers fail in flight. */
    loseTaskSuccesses(n: number): void {
      lostTaskSuccesses = n;
    },
    lostTaskSuccessesLeft: () => lostTaskSuccesses,
    async flushInFlight(): Promise<number> {
      const keys = await redis.keys(`${redisKeyPrefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      return keys.length;
    },
    async close() {
      engine?.stop();
      sfn?.destroy();
      await runtime.close();
      await moto?.close();
      redis.disconnect();
      await sqs.close();
      await s3.close();
      await dataApi.close();
      await admin.close();
      await PgSql.dropSchema(DATABASE_URL, schema);
      await rm(scratch, { recursive: true, force: true });
    },
  };
}
