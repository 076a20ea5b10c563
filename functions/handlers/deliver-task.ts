import type { Logger } from "@aws-lambda-powertools/logger";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { JobRecord, QueueName } from "../core/model.ts";
import { type DeliveryResult, runTaskMessage } from "../core/run-task.ts";
import type { TaskMessage } from "../ports/task-queue.ts";
import type { AwsRuntime } from "./aws-runtime.ts";
import { transferIdOf } from "./log-keys.ts";

export interface Delivery {
  queue: QueueName;
  message: TaskMessage;
  /** The SQS receipt handle, for ChangeMessageVisibility while the task runs. */
  receipt: string;
  receiveCount?: number;
}

type Deps = Pick<AwsRuntime, "loadRunner" | "queue" | "store" | "logger" | "metrics" | "ensureAgents">;

/**
 * One delivery of a task message, as the run-tasks function and the worker both handle it: run it
 * through the task runner (claim, run, record, settle the job when last) keeping the message hidden
 * while it runs, and log the outcome with the transfer, job and task it belongs to.
 */
export async function deliverTask(
  deps: Deps,
  delivery: Delivery,
  options: { signal?: AbortSignal } = {},
): Promise<DeliveryResult> {
  const started = Date.now();
  let job: JobRecord | null = null;
  const keys = async (): Promise<Record<string, unknown>> => {
    const transferId = job ? await transferIdOf(deps.store, job.unitId).catch(() => null) : null;
    return {
      transferId: transferId ?? job?.unitId ?? null,
      unit: job?.unitId ?? null,
      job: delivery.message.job,
      jobName: job?.name ?? null,
      task: delivery.message.task,
      queue: delivery.queue,
      receiveCount: delivery.receiveCount ?? null,
    };
  };
  let result: DeliveryResult;
  try {
    await deps.ensureAgents();
    result = await runTaskMessage(await deps.loadRunner(), delivery.message, {
      ...(options.signal ? { signal: options.signal } : {}),
      extendVisibility: (ms) => deps.queue.extendVisibility(delivery.queue, delivery.receipt, ms),
      onJob: (loaded) => {
        job = loaded;
      },
    });
  } catch (error) {
    child(deps.logger, await keys()).error(
      "task delivery failed; the message will come back",
      error as Error,
    );
    deps.metrics.addMetric("TaskDeliveryErrors", MetricUnit.Count, 1);
    throw error;
  }
  const log = child(deps.logger, await keys());
  const durationMs = Date.now() - started;
  if (result === "done") {
    log.info(job ? "task delivered" : "task message for an unknown task: dropped", { durationMs });
    deps.metrics.addMetric("TasksDelivered", MetricUnit.Count, 1);
    deps.metrics.addMetric("TaskDeliveryDuration", MetricUnit.Milliseconds, durationMs);
  } else {
    log.info(
      options.signal?.aborted
        ? "task released: this consumer is stopping, the message will come back"
        : "task busy: another consumer holds it, the message will come back",
      { durationMs },
    );
    deps.metrics.addMetric("TasksBusy", MetricUnit.Count, 1);
  }
  return result;
}

const child = (logger: Logger, keys: Record<string, unknown>) => logger.createChild({ persistentKeys: keys });
