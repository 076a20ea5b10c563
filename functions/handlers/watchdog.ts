import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Context } from "aws-lambda";
import { runWatchdog, type StalledUnit, type WatchdogOptions } from "../core/watchdog.ts";
import { type AwsRuntime, awsRuntime, flushMetrics, inLambda, lambdaRuntime } from "./aws-runtime.ts";

export interface WatchdogResult {
  /** Units marked failed by this pass. */
  stalled: StalledUnit[];
  /** Settles the engine refused (the unit is failed anyway; the state machine may time out instead). */
  settleErrors: number;
  /** True when no execution was running: the database was not touched (Aurora may stay paused). */
  idle: boolean;
}

type Deps = Pick<AwsRuntime, "store" | "engine" | "inFlight" | "logger" | "metrics">;

/**
 * The scheduled watchdog (an EventBridge rule every few minutes; the event is ignored): when Step
 * Functions has running executions, one pass of runWatchdog over the store. Each stalled unit and each settle the engine refused is logged; an
 * error reading the store is thrown, so the invocation fails and its error metric and alarm show it.
 */
export function createWatchdogHandler(
  deps: Deps,
  options: Pick<WatchdogOptions, "marginSeconds" | "orphanGraceSeconds"> = {},
) {
  return async (): Promise<WatchdogResult> => {
    let settleErrors = 0;
    try {
      // Step Functions first: with nothing running there is nothing to watch, and a query would
      // wake a paused Aurora every time the schedule fires (it would never pause).
      if (deps.engine.hasRunningExecutions && !(await deps.engine.hasRunningExecutions())) {
        deps.logger.info("watchdog pass skipped: no running executions; the database was not touched");
        deps.metrics.addMetric("WatchdogStalledUnits", MetricUnit.Count, 0);
        return { stalled: [], settleErrors, idle: true };
      }
      const stalled = await runWatchdog(deps, {
        ...options,
        onError(error) {
          settleErrors += 1;
          deps.logger.error("watchdog: settling a stalled job failed; its unit is marked failed", {
            error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
          });
        },
      });
      for (const unit of stalled) {
        deps.logger.warn("watchdog: unit marked failed", {
          unit: unit.unitId,
          job: unit.jobId,
          jobName: unit.job,
          idleSeconds: unit.idleSeconds,
          reason: unit.reason,
        });
      }
      deps.logger.info("watchdog pass done", { stalled: stalled.length, settleErrors });
      deps.metrics.addMetric("WatchdogStalledUnits", MetricUnit.Count, stalled.length);
      deps.metrics.addMetric("WatchdogSettleErrors", MetricUnit.Count, settleErrors);
      return { stalled, settleErrors, idle: false };
    } catch (error) {
      deps.logger.error("watchdog pass failed", error as Error);
      throw error;
    } finally {
      flushMetrics(deps.metrics);
    }
  };
}

if (inLambda()) awsRuntime(); // a bad environment fails the cold start, naming the variable

let lambdaHandler: ReturnType<typeof createWatchdogHandler> | undefined;
export const handler = (_event: unknown, context?: Context) => {
  const runtime = lambdaRuntime(context); // per invocation: the request id in every log line
  lambdaHandler ??= createWatchdogHandler(runtime);
  return lambdaHandler();
};
