import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createArchive } from "../../functions/archives/create.ts";
import { sipIdOf } from "../../functions/core/ids.ts";
import type { StartTransferResult } from "../../functions/handlers/start-transfer.ts";
import type { WorkflowName } from "../../functions/ports/workflow-engine.ts";
import { checkAip } from "../../functions/smoke/checks.ts";
import { runSmoke } from "../../functions/smoke/smoke.ts";
import { aipNameOf, generateTransfer } from "../../functions/smoke/transfer.ts";
import { validateMetsXml } from "../helpers/xsd.ts";
import { type Box, MAX_TRANSFER_BYTES, openBox, smokeTargets } from "./box.ts";
import { objectCreatedEvent, startConsumers } from "./consumers.ts";

// Powertools writes through the global console in dev mode, where the test reads every log line.
process.env.POWERTOOLS_DEV = "true";
const logs: Array<Record<string, unknown>> = [];
let box: Box;
let s3: S3Client;

beforeAll(async () => {
  for (const level of ["debug", "info", "warn", "error"] as const) {
    vi.spyOn(console, level).mockImplementation((line: unknown) => {
      try {
        logs.push(JSON.parse(String(line)) as Record<string, unknown>);
      } catch {
        logs.push({ message: String(line) });
      }
    });
  }
  box = await openBox({ defaultConfig: "automated" });
  s3 = new S3Client(box.s3.clientConfig);
}, 60_000);

afterAll(async () => {
  s3?.destroy();
  await box?.close();
  vi.restoreAllMocks();
});

/** An execution's outcome; on failure the message carries the failed tasks' stderr. */
async function expectSucceeded(workflow: WorkflowName, name: string) {
  const outcome = await box.waitForExecution(workflow, name);
  if (outcome.status === "SUCCEEDED") return;
  const { rows } = await box.admin.query<{ name: string; stderr: string }>(
    "select j.name, t.stderr from tasks t join jobs j on j.id = t.job_id where t.exit_code <> 0",
  );
  expect(outcome, JSON.stringify({ outcome, failedTasks: rows })).toMatchObject({ status: "SUCCEEDED" });
}

async function count(table: string): Promise<number> {
  const { rows } = await box.admin.query<{ n: number }>(`select count(*)::int as n from ${table}`);
  return rows[0]!.n;
}

describe("cloud in a box: S3 event → Step Functions ASL → SQS → run-tasks and worker → AIP bucket", () => {
  it("turns one upload into one valid AIP; repeated events and deliveries change nothing", async () => {
    const consumers = startConsumers(box, {
      lightPollers: 2,
      faults: { duplicateFirst: 2, redeliverFirst: 2, flushBeforeBatch: 4, abandonFirst: 2 },
    });
    box.loseTaskSuccesses(2);
    let transferId: string;
    let event: ReturnType<typeof objectCreatedEvent> | undefined;
    const started: StartTransferResult[] = [];
    try {
      // The post-deploy smoke test's own code: upload, then wait for the AIP and check it. Here the
      // EventBridge event is delivered by hand, twice, as EventBridge may. The key has a space and a
      // plus: EventBridge delivers it as is, and it must still lead to the uploaded bytes.
      const result = await runSmoke({
        clients: { s3 },
        targets: smokeTargets(box),
        name: "Society minutes+1901",
        scratchDir: box.scratch,
        timeoutMs: 120_000,
        intervalMs: 500,
        afterUpload: async (upload) => {
          event = objectCreatedEvent(upload);
          started.push(await box.startTransfer(event));
          started.push(await box.startTransfer(structuredClone(event)));
        },
        log: () => {},
      });
      expect(result.problems).toEqual([]);
      expect(result.status).toBe("passed");
      transferId = result.transferId;
      expect(started).toEqual([
        expect.objectContaining({ outcome: "started", transferId }),
        expect.objectContaining({ outcome: "duplicate", transferId }),
      ]);
      expect(result.aip).toBe(`s3://${box.env.AIP_BUCKET}/${result.aipName}`);
      await expectSucceeded("transfer", transferId);
      await expectSucceeded("ingest", sipIdOf(transferId));

      // The same checks once more, plus the METS schemas; the generated transfer is reproducible.
      const original = await generateTransfer(
        await mkdtemp(path.join(box.scratch, "again-")),
        "Society minutes+1901",
      );
      const check = await checkAip(box.runtime.objects, result.aipName, original, box.scratch);
      expect(check.problems).toEqual([]);
      const mets = await validateMetsXml(await readFile(check.metsPath!, "utf8"));
      expect(mets.errors.slice(0, 5)).toEqual([]);
      expect(mets.valid).toBe(true);

      // The check can fail: one changed byte in a stored original.
      const packageKey = `${result.aipName}/data/objects/${original.name}.zip`;
      const bytes = await readFile(original.packagePath);
      bytes[bytes.length - 1] ^= 0xff;
      await s3.send(new PutObjectCommand({ Bucket: box.env.AIP_BUCKET, Key: packageKey, Body: bytes }));
      const corrupted = await checkAip(box.runtime.objects, result.aipName, original, box.scratch);
      expect(corrupted.status).toBe("invalid");
      expect(corrupted.problems.join("\n")).toMatch(/differs from the uploaded package/);
      expect(corrupted.problems.join("\n")).toMatch(/^bag: .*\.zip/m);

      // The same upload delivered once more, after the AIP is stored.
      expect(await box.startTransfer(structuredClone(event))).toMatchObject({
        outcome: "duplicate",
        transferId,
      });
    } finally {
      await consumers.stop();
    }
    expect(consumers.errors).toEqual([]);
    expect(consumers.stats.duplicatesSent).toBe(2);
    expect(consumers.stats.redeliveries).toBeGreaterThan(0);
    expect(consumers.stats.flushedKeys).toBeGreaterThan(0);
    // A consumer that died mid-batch: its tasks ran again once visibility and lease ran out.
    expect(consumers.stats.abandoned).toBe(2);
    for (const id of consumers.stats.abandonedTasks) {
      const task = await box.runtime.store.getTask(id);
      expect(task, id).toMatchObject({ status: "done", exitCode: 0 });
      expect(task!.attempt, id).toBeGreaterThanOrEqual(2);
    }
    // Lost SendTaskSuccess calls: the messages came back and the jobs were settled again.
    expect(box.lostTaskSuccessesLeft()).toBe(0);

    // One execution per workflow, one transfer and one SIP, one AIP.
    const { rows: runs } = await box.admin.query<{ workflow: string; status: string }>(
      "select workflow, status from executions order by workflow",
    );
    expect(runs).toEqual([
      { workflow: "ingest", status: "SUCCEEDED" },
      { workflow: "transfer", status: "SUCCEEDED" },
    ]);
    expect(await count("units")).toBe(2);
    const stored = new Set<string>();
    for await (const key of box.runtime.objects.list("")) stored.add(key.split("/")[0]!);
    expect([...stored]).toEqual([aipNameOf(transferId, "Society minutes+1901")]);

    // Every task's log line names its transfer, job and task.
    const delivered = logs.filter((line) => line.message === "task delivered");
    expect(delivered.length).toBeGreaterThan(10);
    for (const line of delivered) {
      expect(line).toMatchObject({ transferId, job: expect.any(String), task: expect.any(String) });
    }
    expect(new Set(delivered.map((line) => line.queue))).toEqual(new Set(["light", "heavy"]));
    const dispatched = logs.filter((line) => line.message === "job dispatched");
    expect(dispatched.length).toBeGreaterThan(5);
    for (const line of dispatched) expect(line).toMatchObject({ transferId, job: expect.any(String) });
    expect(logs.some((line) => line.message === "transfer already started: duplicate event")).toBe(true);
  }, 240_000);

  it("refuses events it cannot take with a logged reason and starts nothing", async () => {
    const units = await count("units");
    const executions = await count("executions");
    const base = { bucket: box.env.TRANSFER_BUCKET, size: 1000, etag: "0123456789abcdef0123456789abcdef" };
    const cases: Array<[string, unknown, RegExp]> = [
      ["malformed event", { source: "aws.s3", detail: { bucket: {} } }, /not an S3 "Object Created" event/],
      ["an S3 notification, not EventBridge", { Records: [{ s3: {} }] }, /not an S3 "Object Created" event/],
      [
        "outside the prefix",
        objectCreatedEvent({ ...base, key: "incoming/a.zip" }),
        /outside the transfer prefix/,
      ],
      [
        "oversized",
        objectCreatedEvent({ ...base, key: "transfers/big.zip", size: MAX_TRANSFER_BYTES + 1 }),
        new RegExp(`over the limit of ${MAX_TRANSFER_BYTES} bytes`),
      ],
      [
        "not a package",
        objectCreatedEvent({ ...base, key: "transfers/notes.txt" }),
        /not a transfer package/,
      ],
      [
        "a folder marker",
        objectCreatedEvent({ ...base, key: "transfers/box/", size: 0 }),
        /not a transfer package/,
      ],
      ["a .. segment", objectCreatedEvent({ ...base, key: "transfers/../etc.zip" }), /invalid object key/],
      [
        "a control character",
        objectCreatedEvent({ ...base, key: "transfers/a\u0007.zip" }),
        /invalid object key/,
      ],
      [
        "another bucket",
        objectCreatedEvent({ ...base, bucket: "other", key: "transfers/a.zip" }),
        /not the transfer bucket/,
      ],
      [
        "an empty object",
        objectCreatedEvent({ ...base, key: "transfers/empty.zip", size: 0 }),
        /the object is empty/,
      ],
    ];
    for (const [what, event, reason] of cases) {
      const result = await box.startTransfer(event);
      expect(result.outcome, what).toBe("ignored");
      if (result.outcome !== "ignored") continue;
      expect(result.reason, what).toMatch(reason);
      const logged = logs.find(
        (line) => line.message === "transfer event ignored" && line.reason === result.reason,
      );
      expect(logged, `${what}: logged with its reason`).toMatchObject({ level: "WARN" });
    }
    expect(await count("units")).toBe(units);
    expect(await count("executions")).toBe(executions);
  });

  it("an uploaded ZIP's processingMCP.xml answers its decisions; what it cannot is kept on the unit", async () => {
    // Archivematica's layout zipped with its folder: minutes/processingMCP.xml, minutes/objects/…
    const dir = await mkdtemp(path.join(box.scratch, "mcp-"));
    await mkdir(path.join(dir, "minutes", "objects"), { recursive: true });
    await writeFile(path.join(dir, "minutes", "objects", "a.txt"), "Minutes\n");
    await writeFile(
      path.join(dir, "minutes", "processingMCP.xml"),
      "<processingMCP><preconfiguredChoices>" +
        // Normalize for preservation and access (mapped); Examine contents (no equivalent here).
        "<preconfiguredChoice><appliesTo>cb8e5706-e73f-472f-ad9b-d1236af8095f</appliesTo><goToChain>b93cecd4-71f2-4e28-bc39-d32fd62c5a94</goToChain></preconfiguredChoice>" +
        "<preconfiguredChoice><appliesTo>accea2bf-ba74-4a3a-bb97-614775c74459</appliesTo><goToChain>e0a39199-c62a-4a2f-98de-e9d1116460a8</goToChain></preconfiguredChoice>" +
        "</preconfiguredChoices></processingMCP>\n",
    );
    const zip = path.join(box.scratch, "minutes-mcp.zip");
    await createArchive(dir, zip, "zip");
    const body = await readFile(zip);
    const key = `${box.env.TRANSFER_PREFIX}minutes-mcp.zip`;
    const put = await s3.send(
      new PutObjectCommand({ Bucket: box.env.TRANSFER_BUCKET, Key: key, Body: body }),
    );
    const started = await box.startTransfer(
      objectCreatedEvent({ bucket: box.env.TRANSFER_BUCKET, key, size: body.length, etag: put.ETag! }),
    );
    expect(started.outcome).toBe("started");
    const unit = await box.runtime.store.getUnit((started as { transferId: string }).transferId);
    // The deployed preset here is "automated" (normalize none): processingMCP.xml changed it.
    expect(unit?.config.normalize).toBe("both");
    expect(unit?.options.processingMcp).toEqual({
      source: "minutes-mcp.zip: minutes/processingMCP.xml",
      applied: ["normalize=both"],
      notApplied: ["Examine contents: no stepmatica decision point"],
      askEverything: false,
    });
    // Run it through, so no execution is left waiting; the SIP's ingest took the same configuration.
    const transferId = (started as { transferId: string }).transferId;
    const consumers = startConsumers(box, { lightPollers: 2 });
    try {
      await expectSucceeded("transfer", transferId);
      await expectSucceeded("ingest", sipIdOf(transferId));
    } finally {
      await consumers.stop();
    }
    expect(consumers.errors).toEqual([]);
    expect((await box.runtime.store.getUnit(sipIdOf(transferId)))?.config.normalize).toBe("both");
  });

  it("fails a job's state when its payload names no job, and sends a malformed task message back", async () => {
    const refused = await box.dispatchJob({
      workflow: "transfer",
      job: "no_such_job",
      unit: "5f0c7a52-35a6-4d3b-9a7c-0d2f4f3b1e11",
      execution: "arn:aws:states:local:000000000000:execution:stepmatica-transfer:nothing",
      enteredAt: new Date().toISOString(),
      token: "token-of-a-state-that-is-not-waiting",
    });
    expect(refused).toEqual({ status: "failed", reason: 'workflow transfer has no job "no_such_job"' });
    expect(logs.some((line) => line.message === "job cannot run: its state is failed")).toBe(true);

    const record = {
      messageId: "m-1",
      receiptHandle: "r-1",
      body: '{"hello":"world"}',
      attributes: {
        ApproximateReceiveCount: "1",
        SentTimestamp: "0",
        SenderId: "box",
        ApproximateFirstReceiveTimestamp: "0",
      },
      messageAttributes: {},
      md5OfBody: "",
      eventSource: "aws:sqs",
      eventSourceARN: "arn:aws:sqs:us-east-1:123456789012:light",
      awsRegion: "us-east-1",
    };
    const response = await box.runTasks({ Records: [record] }, { getRemainingTimeInMillis: () => 60_000 });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "m-1" }]);
    expect(logs.some((line) => line.message === "task message malformed" && line.messageId === "m-1")).toBe(
      true,
    );
  });
});

describe("cloud in a box with the deployed default configuration (compressed AIP)", () => {
  let compressedBox: Box;
  beforeAll(async () => {
    compressedBox = await openBox({ defaultConfig: "default", logLevel: "ERROR" });
  }, 60_000);
  afterAll(async () => {
    await compressedBox?.close();
  });

  it("stores one .7z AIP that the smoke checks open and accept", async () => {
    const client = new S3Client(compressedBox.s3.clientConfig);
    const consumers = startConsumers(compressedBox, { lightPollers: 2 });
    try {
      const result = await runSmoke({
        clients: { s3: client },
        targets: smokeTargets(compressedBox),
        scratchDir: compressedBox.scratch,
        timeoutMs: 60_000,
        intervalMs: 500,
        afterUpload: async (upload) => {
          expect(await compressedBox.startTransfer(objectCreatedEvent(upload))).toMatchObject({
            outcome: "started",
          });
        },
        log: () => {},
      });
      expect(result.problems).toEqual([]);
      expect(result).toMatchObject({
        status: "passed",
        aip: `s3://${compressedBox.env.AIP_BUCKET}/${result.aipName}.7z`,
      });
    } finally {
      await consumers.stop();
      client.destroy();
    }
    expect(consumers.errors).toEqual([]);
  }, 90_000);
});
