/**
 * Cloud in a box: the AWS adapters wired by the handlers' own runtime (functions/handlers/aws-runtime.ts)
 * to local protocol servers — s3rver for S3, moto's SQS, the Data API server running SQL on
 * the real PostgreSQL — and the real Redis. The state machines are the compiled ASL that CDK deploys,
 * run by the engine chosen (box-engine.ts: our in-process interpreter, or moto's Step Functions),
 * whose Task states invoke the real dispatch-job handler.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Logger } from "@aws-lambda-powertools/logger";
import { Redis } from "ioredis";
import { ExecutionStore } from "../../functions/adapters/local/execution-store.ts";
import { PgSql } from "../../functions/adapters/sql/pg.ts";
import { type AwsRuntime, buildAwsRuntime } from "../../functions/handlers/aws-runtime.ts";
import { createDispatchJobHandler } from "../../functions/handlers/dispatch-job.ts";
import { readEnvironment } from "../../functions/handlers/environment.ts";
import { createRunTasksHandler } from "../../functions/handlers/run-tasks.ts";
import { createStartTransferHandler } from "../../functions/handlers/start-transfer.ts";
import type { WorkflowEngine, WorkflowName } from "../../functions/ports/workflow-engine.ts";
import type { StackTargets } from "../../functions/smoke/smoke.ts";
import { TASK_MODULES } from "../../functions/tasks/index.ts";
import { startDataApiServer } from "../helpers/local-aws/data-api-server.ts";
import { startLocalSqs } from "../helpers/local-aws/moto-sqs.ts";
import { startLocalS3 } from "../helpers/local-aws/s3-server.ts";
import { DATABASE_URL, REDIS_URL, uniqueName } from "../helpers/services.ts";
import { type EngineKind, type ExecutionOutcome, executionIdOf, openBoxEngine } from "./box-engine.ts";

export const MAX_TRANSFER_BYTES = 5 * 1024 * 1024;
const credentials = { accessKeyId: "local", secretAccessKey: "local" };

export type Box = Awaited<ReturnType<typeof openBox>>;

/** What the smoke check needs of the box: its buckets; the box starts executions itself, so no machines. */
export function smokeTargets(box: Box): StackTargets {
  return {
    transferBucket: box.env.TRANSFER_BUCKET,
    aipBucket: box.env.AIP_BUCKET,
    transferPrefix: box.env.TRANSFER_PREFIX,
    transferStateMachineArn: null,
    ingestStateMachineArn: null,
  };
}

export async function openBox(options: {
  defaultConfig: "default" | "automated";
  /** The handlers' log level (default INFO). */
  logLevel?: "DEBUG" | "INFO" | "WARN" | "ERROR";
  /** Step Functions' stand-in (default: our in-process interpreter). */
  engine?: EngineKind;
  /** Runs the state machines' timeouts and heartbeats this much faster (see box-engine.ts). */
  timeScale?: number;
  /** Files per task for per-file jobs without their own batch size (default 128). */
  batchSize?: number;
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
  // The engine is Step Functions' stand-in; its Task states call the real dispatch-job handler.
  let dispatch: (payload: unknown) => Promise<unknown> = async () => {
    throw new Error("dispatch-job handler not wired yet");
  };
  /** What the engine's invocation of dispatch-job does (tests may wrap it to inject Lambda's failures). */
  let invokeDispatchJob: (event: unknown) => Promise<unknown> = (event) => dispatch(event);
  const executions = new ExecutionStore(admin);
  const stepFunctions = await openBoxEngine({
    kind: options.engine ?? "local",
    timeScale: options.timeScale ?? 1,
    executions,
    sql: admin,
    dispatch: (payload) => invokeDispatchJob(payload),
  });
  const s3 = await startLocalS3(Object.values(buckets));
  const sqs = await startLocalSqs();
  const light = await sqs.createQueue(5);
  const heavy = await sqs.createQueue(5);
  const redis = new Redis(REDIS_URL);

  const rawEnv: Record<string, string> = {
    STEPMATICA_STAGE: "box",
    STATE_MACHINE_TRANSFER_ARN: stepFunctions.arns.transfer,
    STATE_MACHINE_INGEST_ARN: stepFunctions.arns.ingest,
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

  const engine = stepFunctions.api;
  // Step Functions as the handlers reach it; lostTaskSuccesses makes the next calls fail in flight
  // (a dropped connection), as a lost SendTaskSuccess would.
  let lostTaskSuccesses = 0;
  const handlerEngine: WorkflowEngine = {
    startExecution: (workflow, name, input) => engine.startExecution(workflow, name, input),
    sendTaskSuccess: async (token, output) => {
      if (lostTaskSuccesses > 0) {
        lostTaskSuccesses -= 1;
        throw new Error("SendTaskSuccess: socket hang up (injected)");
      }
      return engine.sendTaskSuccess(token, output);
    },
    sendTaskFailure: (token, error, cause) => engine.sendTaskFailure(token, error, cause),
    sendTaskHeartbeat: (token) => engine.sendTaskHeartbeat(token),
    hasRunningExecutions: () => engine.hasRunningExecutions(),
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
  const dispatchDeps = options.batchSize ? { ...runtime, batchSize: options.batchSize } : runtime;
  dispatch = createDispatchJobHandler(dispatchDeps);

  return {
    env,
    /** The variables as the infrastructure sets them (for a worker process). */
    rawEnv,
    runtime,
    /** The engine: waitFor(executionId) and which one it is. */
    engine: stepFunctions,
    /** moto's Step Functions client (null with the local engine), for execution histories. */
    sfn: stepFunctions.sfn,
    /** Replaces what the engine's invocation of dispatch-job does (it gets the real handler to call). */
    wrapDispatchJobInvoke(
      wrap: (event: unknown, handler: (event: unknown) => Promise<unknown>) => Promise<unknown>,
    ): void {
      invokeDispatchJob = (event) => wrap(event, dispatch);
    },
    /** An execution's end, on either engine, by the workflow and the execution's name. */
    waitForExecution(workflow: WorkflowName, name: string, timeoutMs?: number): Promise<ExecutionOutcome> {
      return stepFunctions.waitFor(executionIdOf(stepFunctions, workflow, name), timeoutMs);
    },
    admin,
    sqs,
    s3,
    redis,
    redisKeyPrefix,
    queues: { light, heavy },
    dataApiEndpoint: dataApi.endpoint,
    /** The Data API shim: its calls, resumeFor (a paused Aurora), injected faults. */
    dataApi,
    scratch,
    startTransfer: createStartTransferHandler(runtime),
    dispatchJob: createDispatchJobHandler(dispatchDeps),
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
      await stepFunctions.stop();
      await runtime.close();
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
