import { readFile } from "node:fs/promises";
import {
  type CloudFormationClient,
  DescribeStacksCommand,
  type Output,
} from "@aws-sdk/client-cloudformation";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { DescribeExecutionCommand, type SFNClient } from "@aws-sdk/client-sfn";
import { S3ObjectStore } from "../adapters/aws/s3-object-store.ts";
import { executionName } from "../adapters/aws/sfn-engine.ts";
import { sipIdOf } from "../core/ids.ts";
import { transferIdOf } from "../handlers/transfer-event.ts";
import { type AipCheck, waitForAip } from "./checks.ts";
import { aipNameOf, generateTransfer } from "./transfer.ts";

/** What the smoke test needs from the stack's outputs (infra/stacks/stepmatica-stack.ts names them). */
export interface StackTargets {
  transferBucket: string;
  aipBucket: string;
  transferPrefix: string;
  transferStateMachineArn: string | null;
  ingestStateMachineArn: string | null;
}

export function targetsFromOutputs(stackName: string, outputs: Output[]): StackTargets {
  const value = (key: string) => outputs.find((o) => o.OutputKey === key)?.OutputValue ?? null;
  const required = (key: string) => {
    const found = value(key);
    if (!found) {
      const known = outputs.map((o) => o.OutputKey).join(", ") || "none";
      throw new Error(`stack ${stackName} has no output ${key} (outputs: ${known})`);
    }
    return found;
  };
  return {
    transferBucket: required("TransferBucketName"),
    aipBucket: required("AipBucketName"),
    transferPrefix: value("TransferPrefix") ?? "transfers/",
    transferStateMachineArn: value("TransferStateMachineArn"),
    ingestStateMachineArn: value("IngestStateMachineArn"),
  };
}

export async function readStackTargets(cloudFormation: CloudFormationClient, stackName: string) {
  const { Stacks } = await cloudFormation.send(new DescribeStacksCommand({ StackName: stackName }));
  const stack = Stacks?.[0];
  if (!stack) throw new Error(`stack ${stackName} not found`);
  return targetsFromOutputs(stackName, stack.Outputs ?? []);
}

export interface SmokeResult {
  status: "passed" | "failed";
  transferId: string;
  key: string;
  aipName: string;
  aip: string | null;
  problems: string[];
}

export interface Upload {
  bucket: string;
  key: string;
  size: number;
  etag: string;
  versionId: string | null;
}

/**
 * Uploads a small generated transfer to a deployed environment and waits for its AIP, checked as the
 * cloud-in-a-box test checks it (functions/smoke/checks.ts). Stops early when a workflow execution fails.
 */
export async function runSmoke(options: {
  clients: { s3: S3Client; sfn?: SFNClient };
  targets: StackTargets;
  scratchDir: string;
  timeoutMs: number;
  intervalMs?: number;
  /** The transfer's name (default: smoke-<time>-<random>). */
  name?: string;
  /** Small files added to the generated transfer (default none). */
  extraFiles?: number;
  /** Called once the package is uploaded (on AWS, S3 tells EventBridge by itself). */
  afterUpload?(upload: Upload): Promise<void>;
  log(line: string): void;
}): Promise<SmokeResult> {
  const { clients, targets } = options;
  const name =
    options.name ??
    `smoke-${new Date().toISOString().replace(/[-:.]/g, "").slice(0, 15)}-${Math.random().toString(36).slice(2, 8)}`;
  const transfer = await generateTransfer(options.scratchDir, name, options.extraFiles);
  const key = `${targets.transferPrefix}${name}.zip`;
  const body = await readFile(transfer.packagePath);
  const put = await clients.s3.send(
    new PutObjectCommand({ Bucket: targets.transferBucket, Key: key, Body: body }),
  );
  const upload: Upload = {
    bucket: targets.transferBucket,
    key,
    size: body.length,
    etag: put.ETag ?? "",
    versionId: put.VersionId ?? null,
  };
  const transferId = transferIdOf(upload.bucket, key, upload.versionId, upload.etag);
  const aipName = aipNameOf(transferId, name);
  options.log(`uploaded s3://${targets.transferBucket}/${key} (transfer ${transferId})`);
  await options.afterUpload?.(upload);

  const failure = new AbortController();
  let failedReason: string | null = null;
  const watchExecutions = async (check: AipCheck) => {
    if (check.status !== "absent" || failedReason) return;
    for (const [arn, executionNameOfUnit] of [
      [targets.transferStateMachineArn, transferId],
      [targets.ingestStateMachineArn, sipIdOf(transferId)],
    ] as const) {
      if (!arn || !clients.sfn) continue;
      const executionArn = `${arn.replace(":stateMachine:", ":execution:")}:${executionName(executionNameOfUnit)}`;
      const described = await clients.sfn
        .send(new DescribeExecutionCommand({ executionArn }))
        .catch(() => null); // not started yet
      if (described && ["FAILED", "TIMED_OUT", "ABORTED"].includes(described.status ?? "")) {
        failedReason =
          `${executionArn} ${described.status}: ${described.error ?? ""} ${described.cause ?? ""}`.trim();
        failure.abort();
      }
    }
  };
  const check = await waitForAip(
    new S3ObjectStore({ bucket: targets.aipBucket, client: clients.s3 }),
    aipName,
    transfer,
    {
      scratchDir: options.scratchDir,
      timeoutMs: options.timeoutMs,
      intervalMs: options.intervalMs ?? 10_000,
      signal: failure.signal,
      onPoll: async (c) => {
        options.log(`AIP ${c.status}${c.problems.length ? `: ${c.problems[0]}` : ""}`);
        await watchExecutions(c);
      },
    },
  );
  const problems = failedReason
    ? [failedReason]
    : check.status === "absent"
      ? [`no AIP after ${Math.round(options.timeoutMs / 1000)} s`]
      : check.problems;
  return {
    status: check.status === "valid" ? "passed" : "failed",
    transferId,
    key,
    aipName,
    aip: check.location,
    problems,
  };
}
