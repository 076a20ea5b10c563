/**
 * The local cloud the shipped bundles run against: moto's server (SQS and S3), the RDS Data API shim
 * over the real PostgreSQL, the real Redis, a working-storage folder standing in for EFS, and the
 * template's state machines run by moto's Step Functions interpreter (an engine we did not write,
 * test/helpers/local-aws/moto-server.ts), whose Lambda Invoke of dispatch-job reaches the bundled
 * handler. Each
 * Lambda bundle is imported from its own empty folder with the environment its template gives it
 * (CloudFormation references resolved to the local resources) and reaches every service through
 * its own SDK clients (AWS_ENDPOINT_URL_*), as in Lambda.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { DescribeExecutionCommand, SFNClient } from "@aws-sdk/client-sfn";
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { Template } from "aws-cdk-lib/assertions";
import type { Context } from "aws-lambda";
import { PgSql } from "../../functions/adapters/sql/pg.ts";
import type { AslDefinition } from "../../workflows/compile.ts";
import { startDataApiServer } from "../helpers/local-aws/data-api-server.ts";
import { startMotoServer } from "../helpers/local-aws/moto-server.ts";
import { DATABASE_URL, REDIS_URL, uniqueName } from "../helpers/services.ts";
import { importHandler, isolate, type LambdaAsset } from "./artifacts.ts";

export type Handler = (event: unknown, context?: Context) => Promise<unknown>;
export type Harness = Awaited<ReturnType<typeof openHarness>>;

const ACCOUNT = "123456789012";
const REGION = "us-east-1";
const MACHINES = {
  transfer: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:stepmatica-shipped-transfer`,
  ingest: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:stepmatica-shipped-ingest`,
};
const DISPATCH_JOB = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:stepmatica-dispatch-job`;
const SUBSTITUTIONS: Record<string, string> = {
  DispatchJobFunctionArn: DISPATCH_JOB,
  IngestStateMachineArn: MACHINES.ingest,
};

/** A CloudFormation string: literal, or an Fn::Join of literals. */
function literal(value: unknown, what: string): string {
  if (typeof value === "string") return value;
  const join = (value as { "Fn::Join"?: [string, unknown[]] })["Fn::Join"];
  if (join?.[1].every((part) => typeof part === "string")) return join[1].join(join[0]);
  throw new Error(`${what} is not a literal string`);
}

/** The template's state machine definition with its substitutions pointed at the local resources. */
function definitionOf(template: Template, workflow: "transfer" | "ingest"): AslDefinition {
  const resources = template.toJSON().Resources as Record<
    string,
    { Type: string; Properties: Record<string, unknown> }
  >;
  const prefix = `Pipeline${workflow === "transfer" ? "Transfer" : "Ingest"}`;
  const [id, machine] = Object.entries(resources).find(
    ([k, r]) => r.Type === "AWS::StepFunctions::StateMachine" && k.startsWith(prefix),
  )!;
  const text = literal(machine.Properties.DefinitionString, `${id}.DefinitionString`);
  return JSON.parse(
    text.replace(/\$\{(\w+)\}/g, (whole, key: string) => {
      if (!(key in SUBSTITUTIONS)) throw new Error(`${id}: no substitution for ${whole}`);
      return SUBSTITUTIONS[key]!;
    }),
  );
}

/** A Lambda context as the Node.js runtime passes it. */
export function lambdaContext(functionName: string, timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${functionName}`,
    memoryLimitInMB: "1024",
    awsRequestId: crypto.randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "shipped",
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

export async function openHarness(template: Template) {
  const schema = uniqueName("shipped");
  const scratch = await mkdtemp(path.join(os.tmpdir(), "stepmatica-shipped-"));
  const workRoot = path.join(scratch, "efs");
  const moto = await startMotoServer();
  const admin = await PgSql.open(DATABASE_URL, { schema });
  const dataApi = await startDataApiServer({ connectionString: DATABASE_URL, schema });
  const clientConfig = { region: REGION, endpoint: moto.endpoint, credentials: moto.credentials };
  const s3 = new S3Client({ ...clientConfig, forcePathStyle: true });
  const sqs = new SQSClient(clientConfig);
  const buckets = { transfer: "shipped-transfers", aip: "shipped-aips", dip: "shipped-dips" };
  for (const Bucket of Object.values(buckets)) await s3.send(new CreateBucketCommand({ Bucket }));
  const queueUrl = async (name: string, attributes: Record<string, string>) =>
    (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;
  const queueWithDlq = async (name: string) => {
    const dlq = await queueUrl(`${name}-dlq`, {});
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: dlq, AttributeNames: ["QueueArn"] }),
    );
    const redrive = JSON.stringify({ deadLetterTargetArn: Attributes!.QueueArn, maxReceiveCount: 5 });
    return queueUrl(name, { RedrivePolicy: redrive, VisibilityTimeout: "60" });
  };
  const queues = { light: await queueWithDlq("shipped-light"), heavy: await queueWithDlq("shipped-heavy") };

  /** What the template's references resolve to here, by variable name. */
  const resolved: Record<string, string> = {
    STATE_MACHINE_TRANSFER_ARN: MACHINES.transfer,
    STATE_MACHINE_INGEST_ARN: MACHINES.ingest,
    LIGHT_QUEUE_URL: queues.light,
    HEAVY_QUEUE_URL: queues.heavy,
    DB_CLUSTER_ARN: `arn:aws:rds:${REGION}:${ACCOUNT}:cluster:stepmatica-shipped`,
    DB_SECRET_ARN: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:stepmatica-shipped`,
    REDIS_URL,
    TRANSFER_BUCKET: buckets.transfer,
    AIP_BUCKET: buckets.aip,
    DIP_BUCKET: buckets.dip,
  };
  /** Literals that name the AWS side: the EFS mount path and ElastiCache's cluster mode. */
  const localized: Record<string, string> = { WORK_ROOT: workRoot, REDIS_CLUSTER: "false" };
  const awsVariables = {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: moto.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: moto.credentials.secretAccessKey,
    AWS_ENDPOINT_URL_S3: moto.endpoint,
    AWS_ENDPOINT_URL_SQS: moto.endpoint,
    AWS_ENDPOINT_URL_RDS_DATA: dataApi.endpoint,
    AWS_ENDPOINT_URL_SFN: moto.endpoint,
    POWERTOOLS_METRICS_DISABLED: "true",
    POWERTOOLS_TRACE_ENABLED: "false",
    POWERTOOLS_LOG_LEVEL: "WARN", // INFO in Lambda; here the lines would drown the test output
  };

  /** A function's environment as deployed, with its references resolved; an unknown reference is an error. */
  const environmentOf = (asset: LambdaAsset): Record<string, string> => {
    const out: Record<string, string> = {};
    for (const [name, value] of Object.entries(asset.environment)) {
      if (name === "NODE_OPTIONS") continue; // process-wide here; the bundles' source maps load anyway
      if (name in localized) out[name] = localized[name]!;
      else if (typeof value === "string") out[name] = value;
      else if (name in resolved) out[name] = resolved[name]!;
      else throw new Error(`${asset.logicalId}: no local value for ${name} = ${JSON.stringify(value.token)}`);
    }
    return out;
  };

  /** Copies the asset alone into an empty folder and imports its handler with its environment set, as a cold start does. */
  const loadFunction = async (asset: LambdaAsset, functionName: string): Promise<Handler> => {
    const dir = await isolate(asset);
    Object.assign(process.env, awsVariables, environmentOf(asset), {
      AWS_LAMBDA_FUNCTION_NAME: functionName,
    });
    return importHandler<Handler>(dir, asset.handler);
  };

  let dispatch: Handler = async () => {
    throw new Error("dispatch-job is not loaded yet");
  };
  for (const workflow of ["ingest", "transfer"] as const) {
    const name = MACHINES[workflow].split(":").pop()!;
    await moto.createStateMachine(name, JSON.stringify(definitionOf(template, workflow)));
  }
  moto.registerFunction(DISPATCH_JOB, (event) =>
    dispatch(event, lambdaContext("stepmatica-dispatch-job", 120_000)),
  );
  const sfn = new SFNClient(clientConfig);

  return {
    moto,
    s3,
    sqs,
    admin,
    queues,
    buckets,
    workRoot,
    scratch,
    machines: MACHINES,
    environmentOf,
    awsVariables,
    dataApiEndpoint: dataApi.endpoint,
    loadFunction,
    setDispatch(handler: Handler) {
      dispatch = handler;
    },
    /** An execution's end on moto's engine. */
    async waitForExecution(workflow: "transfer" | "ingest", name: string, timeoutMs = 120_000) {
      const executionArn = `${MACHINES[workflow].replace(":stateMachine:", ":execution:")}:${name}`;
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
        if (d.status !== "RUNNING")
          return { status: d.status!, error: d.error ?? null, cause: d.cause ?? null };
        await new Promise((r) => setTimeout(r, 500));
      }
      throw new Error(`${executionArn} still running after ${timeoutMs} ms`);
    },
    async close() {
      sfn.destroy();
      s3.destroy();
      sqs.destroy();
      await moto.close();
      await dataApi.close();
      await admin.close();
      await PgSql.dropSchema(DATABASE_URL, schema);
      await rm(scratch, { recursive: true, force: true });
    },
  };
}
