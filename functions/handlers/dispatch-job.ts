import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Context } from "aws-lambda";
import { DispatchError, DispatchRetryError, dispatchJob } from "../core/dispatch-job.ts";
import { type AwsRuntime, awsRuntime, flushMetrics, inLambda, lambdaRuntime } from "./aws-runtime.ts";
import { transferIdOf } from "./log-keys.ts";

export type DispatchJobResult =
  | { status: "dispatched"; jobId: string; tasks: number }
  | { status: "failed"; reason: string };

type Deps = Pick<AwsRuntime, "store" | "queue" | "inFlight" | "engine" | "logger" | "metrics">;

/**
 * The target of every job's Task state (lambda:invoke.waitForTaskToken): the event is the state's
 * Payload `{workflow, job, unit, execution, enteredAt, token, error?}`. A job that cannot run at all
 * (bad payload, unknown job or unit) fails its state with SendTaskFailure; any other error is thrown
 * so that Step Functions retries the state (dispatchJob is idempotent).
 */
export function createDispatchJobHandler(deps: Deps) {
  return async (event: unknown): Promise<DispatchJobResult> => {
    const payload = (typeof event === "object" && event !== null ? event : {}) as Record<string, unknown>;
    const unit = typeof payload.unit === "string" ? payload.unit : undefined;
    const transferId = unit ? await transferIdOf(deps.store, unit).catch(() => null) : null;
    const log = deps.logger.createChild({
      persistentKeys: {
        transferId: transferId ?? unit ?? null,
        unit: unit ?? null,
        jobName: typeof payload.job === "string" ? payload.job : null,
        workflow: typeof payload.workflow === "string" ? payload.workflow : null,
        execution: typeof payload.execution === "string" ? payload.execution : null,
      },
    });
    try {
      const { jobId, tasks } = await dispatchJob(deps, event);
      log.info(tasks === 0 ? "job dispatched: nothing to queue, settled" : "job dispatched", {
        job: jobId,
        tasks,
      });
      deps.metrics.addMetric("JobsDispatched", MetricUnit.Count, 1);
      deps.metrics.addMetric("TasksQueued", MetricUnit.Count, tasks);
      return { status: "dispatched", jobId, tasks };
    } catch (error) {
      if (!(error instanceof DispatchError)) {
        log.error("job dispatch failed; Step Functions retries the state", error as Error);
        throw new DispatchRetryError(error);
      }
      const token = typeof payload.token === "string" && payload.token.length > 0 ? payload.token : null;
      if (token) await deps.engine.sendTaskFailure(token, error.name, error.message);
      log.error(
        token ? "job cannot run: its state is failed" : "job cannot run and the payload has no task token",
        { reason: error.message },
      );
      deps.metrics.addMetric("JobsRefused", MetricUnit.Count, 1);
      return { status: "failed", reason: error.message };
    } finally {
      flushMetrics(deps.metrics);
    }
  };
}

if (inLambda()) awsRuntime(); // a bad environment fails the cold start, naming the variable

let lambdaHandler: ReturnType<typeof createDispatchJobHandler> | undefined;
export const handler = (event: unknown, context?: Context) => {
  const runtime = lambdaRuntime(context); // per invocation: the request id in every log line
  lambdaHandler ??= createDispatchJobHandler(runtime);
  return lambdaHandler(event);
};
