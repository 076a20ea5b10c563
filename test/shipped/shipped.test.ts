/**
 * The shipped artifacts, run as AWS would run them: `cdk synth` once, then every Lambda asset in
 * cdk.out copied alone into an empty folder (no node_modules), imported and driven with its real
 * event against moto (SQS, S3), the Data API shim over PostgreSQL and Redis; the heavy worker from
 * what its Dockerfile copies plus `npm ci --omit=dev`. A whole transfer goes through them.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { SFNClient } from "@aws-sdk/client-sfn";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sipIdOf } from "../../functions/core/ids.ts";
import { runSmoke } from "../../functions/smoke/smoke.ts";
import { LIGHT_TASK_MODULES } from "../../functions/tasks/light.ts";
import { findJob } from "../../workflows/index.ts";
import { objectCreatedEvent } from "../cloud/consumers.ts";
import { synthesize } from "../infra/synth.ts";
import { type LambdaAsset, lambdaAssets, workerApp, workerDockerAsset } from "./artifacts.ts";
import { describeCdkHandlers } from "./cdk-handlers.ts";
import { type Handler, type Harness, lambdaContext, openHarness } from "./harness.ts";
import { startLightConsumer } from "./light-consumer.ts";
import { startWorkerFromImage } from "./worker-process.ts";

process.env.POWERTOOLS_DEV = "false";
let synth: Awaited<ReturnType<typeof synthesize>>;
let assets: LambdaAsset[];
let harness: Harness;
let app: Promise<string>;
const fns: Record<string, Handler> = {};

/** Our functions carry their Powertools service name; the migrate function is the store's custom resource. */
const serviceOf = (a: LambdaAsset) =>
  typeof a.environment.POWERTOOLS_SERVICE_NAME === "string"
    ? a.environment.POWERTOOLS_SERVICE_NAME
    : a.logicalId.startsWith("DatabaseMigrateFunction")
      ? "stepmatica-migrate"
      : null;

beforeAll(async () => {
  synth = await synthesize({ bundling: true, context: { env: "staging" } });
  assets = lambdaAssets(synth.templates.staging, synth.outdir);
  app = workerDockerAsset(synth.outdir, synth.stacks.staging.stackName).then(workerApp);
  app.catch(() => {}); // awaited by the transfer test, which reports the failure
  harness = await openHarness(synth.templates.staging);
}, 600_000);

/** Loaded by the first test; the others use what loaded. */
async function loadOurFunctions(): Promise<string[]> {
  const failures: string[] = [];
  for (const asset of assets) {
    const service = serviceOf(asset);
    if (!service) continue;
    try {
      fns[service] = await harness.loadFunction(asset, service);
    } catch (error) {
      failures.push(`${service}: ${(error as Error).message.split("\n")[0]}`);
    }
  }
  if (fns["stepmatica-dispatch-job"]) harness.setDispatch(fns["stepmatica-dispatch-job"]);
  // The deploy-time custom resource creates the schema, as CloudFormation would invoke it.
  await fns["stepmatica-migrate"]?.({ RequestType: "Create", ResourceProperties: {} });
  return failures;
}

afterAll(async () => {
  await harness?.close();
});

describe("the synthesized Lambda assets", () => {
  it("are the seven stepmatica functions and aws-cdk-lib's own handlers", () => {
    const ours = assets.map(serviceOf).filter(Boolean).sort();
    expect(ours).toEqual([
      "stepmatica-api",
      "stepmatica-audit",
      "stepmatica-dispatch-job",
      "stepmatica-migrate",
      "stepmatica-run-tasks",
      "stepmatica-start-transfer",
      "stepmatica-watchdog",
    ]);
  });

  it("each stepmatica function loads alone from an empty folder, with its template's environment", async () => {
    expect(await loadOurFunctions()).toEqual([]);
    expect(Object.keys(fns).sort()).toEqual(assets.map(serviceOf).filter(Boolean).sort());
  }, 180_000); // six cold starts from bundles of several MB each, on a shared machine

  it("no stepmatica bundle carries a heavy tool's package (sharp, exiftool-vendored, 7zip-bin)", async () => {
    for (const asset of assets.filter((a) => serviceOf(a))) {
      const map = JSON.parse(await readFile(path.join(asset.assetDir, "index.mjs.map"), "utf8")) as {
        sources: string[];
      };
      const heavy = map.sources.filter((s) =>
        /node_modules\/(sharp|@img|exiftool-vendored[^/]*|7zip-bin)\//.test(s),
      );
      expect(heavy.slice(0, 3), `${serviceOf(asset)} bundles heavy packages`).toEqual([]);
    }
  });
});

describe("the bundles driven with their real events", () => {
  it("migrate: applied the store's migrations over the Data API; an Update applies nothing more", async () => {
    const again = (await fns["stepmatica-migrate"]!({ RequestType: "Update", PhysicalResourceId: "p" })) as {
      PhysicalResourceId: string;
      Data: { Applied: string };
    };
    expect(again).toEqual({ PhysicalResourceId: "p", Data: { Applied: "" } });
    const { rows } = await harness.admin.query<{ n: number }>("select count(*)::int as n from units");
    expect(rows[0]!.n).toBe(0);
  });

  it("run-tasks: a record that is not a task message is reported for redelivery, not lost", async () => {
    const response = await fns["stepmatica-run-tasks"]!(
      {
        Records: [
          {
            messageId: "m-1",
            receiptHandle: "r-1",
            body: "not json",
            attributes: { ApproximateReceiveCount: "1" },
            messageAttributes: {},
            md5OfBody: "",
            eventSource: "aws:sqs",
            eventSourceARN: "arn:aws:sqs:us-east-1:123456789012:shipped-light",
            awsRegion: "us-east-1",
          },
        ],
      },
      lambdaContext("stepmatica-run-tasks", 300_000),
    );
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: "m-1" }] });
  });
});

describe("transfers through the bundles and the worker image", () => {
  let worker: Awaited<ReturnType<typeof startWorkerFromImage>>;
  let light: ReturnType<typeof startLightConsumer>;
  let s3: S3Client;
  let sfn: SFNClient;
  let transferId: string;

  beforeAll(async () => {
    worker = await startWorkerFromImage(await app, {
      ...harness.environmentOf(assets.find((a) => serviceOf(a) === "stepmatica-run-tasks")!),
      ...harness.awsVariables,
      POWERTOOLS_SERVICE_NAME: "stepmatica-worker",
      WORKER_STOP_GRACE_SECONDS: "5",
    });
    light = startLightConsumer({
      sqs: harness.sqs,
      queueUrl: harness.queues.light,
      handler: fns["stepmatica-run-tasks"]!,
      timeoutMs: 300_000,
      batchSize: 5,
    });
    const config = { region: "us-east-1", credentials: harness.moto.credentials };
    s3 = new S3Client({ ...config, endpoint: harness.moto.endpoint, forcePathStyle: true });
    sfn = new SFNClient({ ...config, endpoint: harness.awsVariables.AWS_ENDPOINT_URL_SFN });
  }, 120_000);

  afterAll(async () => {
    await light?.stop();
    s3?.destroy();
    sfn?.destroy();
    if (worker) expect(await worker.stop(), worker.output().slice(-2000)).toBe(0);
  });

  const jobsAndTasks = async (...unitIds: string[]) =>
    (
      await harness.admin.query<{ name: string; exit_code: number | null }>(
        "select j.name, t.exit_code from tasks t join jobs j on j.id = t.job_id where j.unit_id::text = any(string_to_array($1, ','))",
        [unitIds.join(",")],
      )
    ).rows;

  it("an upload becomes a valid AIP: start-transfer, dispatch-job, run-tasks (every light module), the worker image", async () => {
    const result = await runSmoke({
      clients: { s3, sfn },
      targets: {
        transferBucket: harness.buckets.transfer,
        aipBucket: harness.buckets.aip,
        transferPrefix: "transfers/",
        transferStateMachineArn: harness.machines.transfer,
        ingestStateMachineArn: harness.machines.ingest,
      },
      name: "Shipped minutes",
      scratchDir: harness.scratch,
      timeoutMs: 240_000,
      intervalMs: 1000,
      afterUpload: async (upload) => {
        const started = await fns["stepmatica-start-transfer"]!(
          objectCreatedEvent(upload),
          lambdaContext("stepmatica-start-transfer", 60_000),
        );
        expect(started).toMatchObject({ outcome: "started" });
      },
      log: () => {},
    });
    expect(result.problems, worker.output().slice(-3000)).toEqual([]);
    expect(result.status).toBe("passed");
    expect(light.errors).toEqual([]);
    transferId = result.transferId;
    // The AIP is stored before the last job (clean_up): wait for both executions to end.
    for (const [workflow, unit] of [
      ["transfer", transferId],
      ["ingest", sipIdOf(transferId)],
    ] as const)
      expect(await harness.waitForExecution(workflow, unit)).toMatchObject({ status: "SUCCEEDED" });

    // Every light module ran, from the run-tasks bundle (record-failure: in the next test); the
    // heavy jobs ran in the worker, the only consumer of the heavy queue.
    const rows = await jobsAndTasks(transferId, sipIdOf(transferId));
    const ran = (queue: string) =>
      new Set(rows.filter((r) => findJob(r.name)?.queue === queue).map((r) => findJob(r.name)!.module));
    expect([...ran("light")].sort()).toEqual(
      [...LIGHT_TASK_MODULES.keys()].filter((m) => m !== "record-failure").sort(),
    );
    expect([...ran("heavy")]).toEqual(expect.arrayContaining(["normalize", "scan-for-viruses", "store-aip"]));
    expect(rows.filter((r) => r.exit_code !== 0)).toEqual([]);
    expect(light.stats.records).toBeGreaterThanOrEqual(ran("light").size);
  }, 300_000);

  it("a broken package fails its transfer; record-failure runs from the run-tasks bundle", async () => {
    const key = "transfers/broken.zip";
    const put = await s3.send(
      new PutObjectCommand({ Bucket: harness.buckets.transfer, Key: key, Body: "PK\u0003\u0004 not a zip" }),
    );
    const started = (await fns["stepmatica-start-transfer"]!(
      objectCreatedEvent({ bucket: harness.buckets.transfer, key, size: 20, etag: put.ETag ?? "" }),
      lambdaContext("stepmatica-start-transfer", 60_000),
    )) as { outcome: string; transferId: string };
    expect(started.outcome).toBe("started");
    const outcome = await harness.waitForExecution("transfer", started.transferId);
    expect(outcome.status).toBe("FAILED");
    const rows = await jobsAndTasks(started.transferId);
    expect(rows).toContainEqual({ name: "record_failure", exit_code: 0 });
  }, 120_000);

  it("api: a signed-in reader lists the units through the bundle", async () => {
    const response = (await fns["stepmatica-api"]!({
      rawPath: "/api/units",
      rawQueryString: "",
      headers: {},
      requestContext: {
        http: { method: "GET" },
        stage: "$default",
        authorizer: {
          jwt: { claims: { sub: "u-1", "cognito:username": "rita", "cognito:groups": "[readers]" } },
        },
      },
    })) as { statusCode: number; body: string };
    expect(response.statusCode).toBe(200);
    const ids = (JSON.parse(response.body) as { units: Array<{ id: string }> }).units.map((u) => u.id);
    expect(ids).toEqual(expect.arrayContaining([transferId, sipIdOf(transferId)]));
  });

  it("watchdog: a scheduled pass finds nothing stalled", async () => {
    const result = await fns["stepmatica-watchdog"]!(
      { "detail-type": "Scheduled Event", source: "aws.events", detail: {} },
      lambdaContext("stepmatica-watchdog", 120_000),
    );
    expect(result).toMatchObject({ stalled: [] });
  });

  it("audit: a scheduled pass re-verifies the stored AIP in S3 and finds it intact", async () => {
    const result = await fns["stepmatica-audit"]!(
      { "detail-type": "Scheduled Event", source: "aws.events", detail: {} },
      lambdaContext("stepmatica-audit", 900_000),
    );
    expect(result).toEqual({ audited: 1, failed: 0, handedOff: 0 });
  });
});

describeCdkHandlers(() => ({
  template: synth.templates.staging,
  outdir: synth.outdir,
  stackName: synth.stacks.staging.stackName,
  assets,
  harness,
  migrate: fns["stepmatica-migrate"]!,
}));
