/**
 * A whole transfer on a Step Functions engine we did not write: the cloud in a box with moto's
 * server running the compiled state machines (see box.ts). The handlers reach Step Functions through
 * the production adapter over HTTP; moto's interpreter invokes dispatch-job through the Lambda Invoke
 * API, waits for the task tokens, follows Choice/Retry/Catch and starts ingest itself
 * (`states:startExecution`). One Invoke of dispatch-job fails the way Lambda can fail after the
 * function ran: Step Functions retries the state with a new token and dispatch-job must move the job
 * to it (the token-rotation path).
 */
import { mkdtemp, readFile } from "node:fs/promises";
import path from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import { GetExecutionHistoryCommand } from "@aws-sdk/client-sfn";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sipIdOf } from "../../functions/core/ids.ts";
import { checkAip } from "../../functions/smoke/checks.ts";
import { runSmoke } from "../../functions/smoke/smoke.ts";
import { generateTransfer } from "../../functions/smoke/transfer.ts";
import { LambdaServiceError } from "../helpers/local-aws/moto-server.ts";
import { validateMetsXml } from "../helpers/xsd.ts";
import { type Box, openBox, smokeTargets } from "./box.ts";
import { executionIdOf } from "./box-engine.ts";
import { objectCreatedEvent, startConsumers } from "./consumers.ts";

let box: Box;
let s3: S3Client;
const ROTATED_JOB = "stage_transfer";
const tokensOfRotatedJob: string[] = [];

beforeAll(async () => {
  box = await openBox({ defaultConfig: "automated", engine: "moto", logLevel: "ERROR" });
  s3 = new S3Client(box.s3.clientConfig);
  // The first Invoke for the rotated job runs the handler, then fails as a Lambda service error.
  box.wrapDispatchJobInvoke(async (event, handler) => {
    const payload = event as { job?: string; token?: string };
    if (payload.job !== ROTATED_JOB) return handler(event);
    tokensOfRotatedJob.push(String(payload.token));
    const result = await handler(event);
    if (tokensOfRotatedJob.length === 1) throw new LambdaServiceError("ServiceException");
    return result;
  });
}, 120_000);

afterAll(async () => {
  s3?.destroy();
  await box?.close();
});

describe("a transfer on moto's Step Functions engine", () => {
  it("turns one upload into one valid AIP; a retried dispatch moves its job to the new token", async () => {
    const consumers = startConsumers(box, { lightPollers: 2 });
    let transferId: string;
    try {
      const result = await runSmoke({
        clients: { s3 },
        targets: smokeTargets(box),
        name: "Parish registers",
        scratchDir: box.scratch,
        timeoutMs: 150_000,
        intervalMs: 500,
        afterUpload: async (upload) => {
          expect(await box.startTransfer(objectCreatedEvent(upload))).toMatchObject({ outcome: "started" });
        },
        log: () => {},
      });
      if (result.problems.length > 0) {
        // What the engine says about the executions explains a missing AIP better than a timeout.
        const outcomes = await Promise.all([
          box.waitForExecution("transfer", result.transferId, 1000).catch(String),
          box.waitForExecution("ingest", sipIdOf(result.transferId), 1000).catch(String),
        ]);
        expect(result.problems, JSON.stringify(outcomes)).toEqual([]);
      }
      expect(result.status).toBe("passed");
      transferId = result.transferId;

      // The smoke checks once more, plus the METS schemas (the generated transfer is reproducible).
      const original = await generateTransfer(
        await mkdtemp(path.join(box.scratch, "again-")),
        "Parish registers",
      );
      const check = await checkAip(box.runtime.objects, result.aipName, original, box.scratch);
      expect(check.problems).toEqual([]);
      const mets = await validateMetsXml(await readFile(check.metsPath!, "utf8"));
      expect(mets.errors.slice(0, 5)).toEqual([]);
      expect(mets.valid).toBe(true);
    } finally {
      await consumers.stop();
    }
    expect(consumers.errors).toEqual([]);

    // Both executions ended in moto, the ingest one started by the transfer's own state machine.
    expect(await box.waitForExecution("transfer", transferId)).toMatchObject({ status: "SUCCEEDED" });
    expect(await box.waitForExecution("ingest", sipIdOf(transferId))).toMatchObject({ status: "SUCCEEDED" });

    // The rotated job: two Invokes with two tokens; the job row holds the second, its state succeeded.
    expect(tokensOfRotatedJob).toHaveLength(2);
    expect(new Set(tokensOfRotatedJob).size).toBe(2);
    const { rows } = await box.admin.query<{ task_token: string; status: string }>(
      "select task_token, status from jobs where name = $1",
      [ROTATED_JOB],
    );
    expect(rows).toEqual([{ task_token: tokensOfRotatedJob[1], status: "completed" }]);
    const executionArn = executionIdOf(box.engine, "transfer", transferId);
    const history = await box.sfn!.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
    const failed = history.events!.filter((e) => e.type === "TaskFailed");
    expect(failed.map((e) => e.taskFailedEventDetails?.error)).toEqual(["Lambda.ServiceException"]);
  }, 240_000);
});
