import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Context } from "aws-lambda";
import { PRESETS } from "../../workflows/processing-config.ts";
import { startTransfer } from "../core/start-transfer.ts";
import { type AwsRuntime, awsRuntime, flushMetrics, inLambda, lambdaRuntime } from "./aws-runtime.ts";
import { checkTransferEvent } from "./transfer-event.ts";

export type StartTransferResult =
  | { outcome: "started" | "duplicate"; transferId: string; executionId: string }
  | { outcome: "ignored"; reason: string };

type Deps = Pick<AwsRuntime, "env" | "store" | "engine" | "logger" | "metrics">;

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
      const started = await startTransfer(deps, {
        id: check.transferId,
        name: check.name,
        source: check.source,
        config: PRESETS[deps.env.DEFAULT_CONFIG],
      });
      const outcome = started.alreadyStarted ? "duplicate" : "started";
      log.info(started.alreadyStarted ? "transfer already started: duplicate event" : "transfer started", {
        bucket: check.object.bucket,
        key: check.object.key,
        size: check.object.size,
        executionId: started.executionId,
        config: deps.env.DEFAULT_CONFIG,
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

if (inLambda()) awsRuntime(); // a bad environment fails the cold start, naming the variable

let lambdaHandler: ReturnType<typeof createStartTransferHandler> | undefined;
export const handler = (event: unknown, context?: Context) => {
  const runtime = lambdaRuntime(context); // per invocation: the request id in every log line
  lambdaHandler ??= createStartTransferHandler(runtime);
  return lambdaHandler(event);
};
