import path from "node:path";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Context } from "aws-lambda";
import { ConfigError, PRESETS } from "../../workflows/processing-config.ts";
import { startTransfer } from "../core/start-transfer.ts";
import { resolveTransferConfig, type TransferConfig } from "../core/transfer-config.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import { TransferMetadataError } from "../transfer-metadata/errors.ts";
import { processingMcpInZip } from "../transfer-metadata/processing-mcp-source.ts";
import { type AwsRuntime, awsRuntime, flushMetrics, inLambda, lambdaRuntime } from "./aws-runtime.ts";
import { checkTransferEvent } from "./transfer-event.ts";

export type StartTransferResult =
  | { outcome: "started" | "duplicate"; transferId: string; executionId: string }
  | { outcome: "ignored"; reason: string };

type Deps = Pick<AwsRuntime, "env" | "store" | "engine" | "logger" | "metrics" | "transfers">;

/**
 * EventBridge "Object Created" on the transfer bucket → a transfer unit and its execution, named after
 * a transfer id derived from the object's bucket, key and version (or ETag): a redelivered event
 * starts nothing new. An event the pipeline does not accept is logged with its reason and dropped
 * (returning, not throwing: a retry would only fail the same way).
 */
export function createStartTransferHandler(deps: Deps) {
  return async (event: unknown): Promise<StartTransferResult> => {
    const check = checkTransferEvent(event, {
      transferBucket: deps.env.TRANSFER_BUCKET,
      transferPrefix: deps.env.TRANSFER_PREFIX,
      maxTransferBytes: deps.env.MAX_TRANSFER_BYTES,
    });
    try {
      if (!check.ok) {
        deps.logger.warn("transfer event ignored", {
          reason: check.reason,
          bucket: check.bucket,
          key: check.key,
        });
        deps.metrics.addMetric("TransferEventsIgnored", MetricUnit.Count, 1);
        return { outcome: "ignored", reason: check.reason };
      }
      const log = deps.logger.createChild({ persistentKeys: { transferId: check.transferId } });
      let resolved: TransferConfig;
      try {
        // The same resolution as `stepmatica run` and the dashboard: the preset, then the package's processingMCP.xml.
        resolved = resolveTransferConfig(
          PRESETS[deps.env.DEFAULT_CONFIG],
          [],
          await uploadedProcessingMcp(deps.transfers, check.object.key, check.object.size),
        );
      } catch (error) {
        if (!(error instanceof TransferMetadataError || error instanceof ConfigError)) throw error;
        const reason = error.message;
        log.warn("transfer event ignored", { reason, bucket: check.object.bucket, key: check.object.key });
        deps.metrics.addMetric("TransferEventsIgnored", MetricUnit.Count, 1);
        return { outcome: "ignored", reason };
      }
      const { config, processingMcp } = resolved;
      const started = await startTransfer(deps, {
        id: check.transferId,
        name: check.name,
        source: check.source,
        config,
        // Kept on the unit: its status and the dashboard say what processingMCP.xml did and did not.
        ...(processingMcp ? { options: { processingMcp } } : {}),
      });
      const outcome = started.alreadyStarted ? "duplicate" : "started";
      log.info(started.alreadyStarted ? "transfer already started: duplicate event" : "transfer started", {
        bucket: check.object.bucket,
        key: check.object.key,
        size: check.object.size,
        executionId: started.executionId,
        config: deps.env.DEFAULT_CONFIG,
        ...(processingMcp ? { processingMcp } : {}),
      });
      deps.metrics.addMetric(
        outcome === "started" ? "TransfersStarted" : "DuplicateTransferEvents",
        MetricUnit.Count,
        1,
      );
      return { outcome, transferId: check.transferId, executionId: started.executionId };
    } finally {
      flushMetrics(deps.metrics);
    }
  };
}

/** processingMCP.xml in an uploaded ZIP, read with ranged GETs of its central directory and entry. */
function uploadedProcessingMcp(transfers: ObjectStore, key: string, size: number) {
  if (!key.toLowerCase().endsWith(".zip")) return Promise.resolve(null);
  return processingMcpInZip(
    { size, read: (offset, length) => transfers.readRange(key, offset, length) },
    path.posix.basename(key),
  );
}

if (inLambda()) awsRuntime(); // a bad environment fails the cold start, naming the variable

let lambdaHandler: ReturnType<typeof createStartTransferHandler> | undefined;
export const handler = (event: unknown, context?: Context) => {
  const runtime = lambdaRuntime(context); // per invocation: the request id in every log line
  lambdaHandler ??= createStartTransferHandler(runtime);
  return lambdaHandler(event);
};
