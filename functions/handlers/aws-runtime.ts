import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { Tracer } from "@aws-lambda-powertools/tracer";
import { RDSDataClient, type RDSDataClientConfig } from "@aws-sdk/client-rds-data";
import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";
import { SFNClient, type SFNClientConfig } from "@aws-sdk/client-sfn";
import { SQSClient, type SQSClientConfig } from "@aws-sdk/client-sqs";
import type { Context } from "aws-lambda";
import { RdsDataSql } from "../adapters/aws/rds-data-sql.ts";
import { S3ObjectStore } from "../adapters/aws/s3-object-store.ts";
import { SfnEngine } from "../adapters/aws/sfn-engine.ts";
import { SqsTaskQueue } from "../adapters/aws/sqs-queue.ts";
import { RedisInFlight } from "../adapters/redis/in-flight.ts";
import { defaultAgents } from "../core/ids.ts";
import type { RunnerDeps } from "../core/run-task.ts";
import { TaskStore } from "../core/store/task-store.ts";
import type { TaskModule } from "../core/task-module.ts";
import type { InFlight } from "../ports/in-flight.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import type { SqlClient } from "../ports/sql.ts";
import type { TaskQueue } from "../ports/task-queue.ts";
import type { WorkflowEngine } from "../ports/workflow-engine.ts";
import { type AwsEnvironment, readEnvironment } from "./environment.ts";

/** Endpoints and credentials for the SDK clients (tests point them at local protocol servers). */
export interface ClientConfigs {
  s3?: S3ClientConfig;
  sqs?: SQSClientConfig;
  sfn?: SFNClientConfig;
  rdsData?: RDSDataClientConfig;
}

export interface RuntimeOverrides {
  clients?: ClientConfigs;
  /** Another WorkflowEngine than Step Functions (the cloud-in-a-box test runs the ASL in-process). */
  engine?: WorkflowEngine;
  /** Isolates the in-flight sets of one test run in a shared Redis. */
  redisKeyPrefix?: string;
  logger?: Logger;
  /**
   * The task modules this process runs, imported on first use: the light registry in the run-tasks
   * Lambda (functions/tasks/light.ts, no native packages), all of them in the worker. Without it the
   * process runs no task (start-transfer, dispatch-job …), and its bundle carries no task module.
   */
  taskModules?: TaskModuleLoader;
}

export type TaskModuleLoader = () => Promise<ReadonlyMap<string, TaskModule>>;

/** Everything a handler or the worker needs, built once per process. */
export interface AwsRuntime {
  env: AwsEnvironment;
  sql: SqlClient;
  store: TaskStore;
  queue: TaskQueue;
  inFlight: InFlight;
  engine: WorkflowEngine;
  /** The AIP bucket. */
  objects: ObjectStore;
  /** The transfer bucket, where stage-transfer reads s3:// sources. */
  transfers: ObjectStore;
  /** The DIP bucket. */
  dips: ObjectStore;
  /**
   * The task runner's dependencies, with the modules of RuntimeOverrides.taskModules imported on
   * first use; rejects in a process that was given none.
   */
  loadRunner(): Promise<RunnerDeps>;
  logger: Logger;
  metrics: Metrics;
  tracer: Tracer;
  /** This deployment's PREMIS agents (the software, the organization, the stage's user). */
  agents: ReturnType<typeof defaultAgents>;
  /** Records this deployment's PREMIS agents once per process (idempotent upsert). */
  ensureAgents(): Promise<void>;
  close(): Promise<void>;
}

/** Wires the AWS adapters behind the ports: the twin of functions/cli/runtime.ts. */
export function buildAwsRuntime(env: AwsEnvironment, overrides: RuntimeOverrides = {}): AwsRuntime {
  const logger = overrides.logger ?? new Logger({ serviceName: env.POWERTOOLS_SERVICE_NAME });
  const metrics = new Metrics({
    namespace: env.POWERTOOLS_METRICS_NAMESPACE,
    serviceName: env.POWERTOOLS_SERVICE_NAME,
    defaultDimensions: { stage: env.STEPMATICA_STAGE },
  });
  const tracer = new Tracer({ serviceName: env.POWERTOOLS_SERVICE_NAME });
  // The adapters' structured warnings, through Powertools (an absent extra is not passed on).
  const adapterLogger = {
    warn: (message: string, extra?: Record<string, unknown>) => logger.warn(message, extra ?? {}),
  };
  const clients = overrides.clients ?? {};
  const s3 = tracer.captureAWSv3Client(new S3Client(clients.s3 ?? {}));
  const sqs = tracer.captureAWSv3Client(new SQSClient(clients.sqs ?? {}));
  const rdsData = tracer.captureAWSv3Client(new RDSDataClient(clients.rdsData ?? {}));
  const sfn = overrides.engine ? null : tracer.captureAWSv3Client(new SFNClient(clients.sfn ?? {}));

  const sql = new RdsDataSql({
    resourceArn: env.DB_CLUSTER_ARN,
    secretArn: env.DB_SECRET_ARN,
    database: env.DB_NAME,
    client: rdsData,
    logger: adapterLogger,
  });
  const store = new TaskStore(sql);
  const queue = new SqsTaskQueue({
    queueUrls: { light: env.LIGHT_QUEUE_URL, heavy: env.HEAVY_QUEUE_URL },
    client: sqs,
    logger: adapterLogger,
  });
  const inFlight = new RedisInFlight({
    url: env.REDIS_URL,
    cluster: env.REDIS_CLUSTER,
    ...(overrides.redisKeyPrefix ? { keyPrefix: overrides.redisKeyPrefix } : {}),
  });
  const engine =
    overrides.engine ??
    new SfnEngine({
      stateMachineArns: { transfer: env.STATE_MACHINE_TRANSFER_ARN, ingest: env.STATE_MACHINE_INGEST_ARN },
      client: sfn!,
      logger: adapterLogger,
    });
  const objects = new S3ObjectStore({ bucket: env.AIP_BUCKET, client: s3 });
  const transfers = new S3ObjectStore({ bucket: env.TRANSFER_BUCKET, client: s3 });
  const dips = new S3ObjectStore({ bucket: env.DIP_BUCKET, client: s3 });
  const agents = defaultAgents({ user: `stepmatica-${env.STEPMATICA_STAGE}` });
  let runner: Promise<RunnerDeps> | null = null;
  const loadRunner = () => {
    const taskModules = overrides.taskModules;
    if (!taskModules)
      return Promise.reject(
        new Error(`stepmatica-${env.STEPMATICA_STAGE}: this process runs no task modules`),
      );
    runner ??= taskModules().then((modules) => ({
      store,
      inFlight,
      engine,
      modules,
      objects,
      dips,
      transfers,
      workRoot: env.WORK_ROOT,
      agents,
    }));
    return runner;
  };
  let agentsRecorded: Promise<void> | null = null;
  return {
    env,
    sql,
    store,
    queue,
    inFlight,
    engine,
    objects,
    transfers,
    dips,
    loadRunner,
    logger,
    metrics,
    tracer,
    agents,
    ensureAgents() {
      agentsRecorded ??= store.upsertAgents(agents).catch((error: unknown) => {
        agentsRecorded = null; // try again on the next delivery
        throw error;
      });
      return agentsRecorded;
    },
    async close() {
      // Modules that keep a tool process between tasks (ExifTool -stay_open) end it here.
      if (runner) {
        const { modules } = await runner;
        await Promise.allSettled([...new Set(modules.values())].map((m) => m.dispose?.()));
      }
      await inFlight.close();
      for (const client of [s3, sqs, rdsData, sfn]) client?.destroy();
    },
  };
}

let shared: AwsRuntime | undefined;

/**
 * The process's runtime, built from process.env on first use and kept for every later invocation
 * (SDK clients and the Redis connection live as long as the execution environment).
 */
export function awsRuntime(overrides: Pick<RuntimeOverrides, "taskModules"> = {}): AwsRuntime {
  shared ??= buildAwsRuntime(readEnvironment(process.env), overrides);
  return shared;
}

/**
 * The runtime for one Lambda invocation: every log line carries the request id and function name,
 * and the cold-start metric is counted once per execution environment.
 */
export function lambdaRuntime(
  context: Context | undefined,
  overrides: Pick<RuntimeOverrides, "taskModules"> = {},
): AwsRuntime {
  const runtime = awsRuntime(overrides);
  if (context) {
    runtime.logger.addContext(context);
    runtime.metrics.captureColdStartMetric(context.functionName);
  }
  return runtime;
}

/** True inside Lambda: the handler modules build their runtime during init, so a bad environment fails the cold start. */
export const inLambda = () => Boolean(process.env.AWS_LAMBDA_FUNCTION_NAME);

/** Writes the buffered metrics (EMF) if there are any; an empty flush would only log a warning. */
export function flushMetrics(metrics: Metrics): void {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}
