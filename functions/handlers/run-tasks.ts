import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import { z } from "zod";
import type { QueueName } from "../core/model.ts";
import { type AwsRuntime, awsRuntime, flushMetrics, inLambda, lambdaRuntime } from "./aws-runtime.ts";
import { deliverTask } from "./deliver-task.ts";
import { STOP_MARGIN_MS } from "./stop-margin.ts";

type Deps = Pick<
  AwsRuntime,
  "env" | "loadRunner" | "queue" | "store" | "logger" | "metrics" | "ensureAgents"
>;

const TaskMessageBody = z.object({ job: z.string().min(1), task: z.string().min(1) });

export { STOP_MARGIN_MS };

export class TaskNotFinishedError extends Error {
  override name = "Stepmatica.TaskNotFinished";
}

/**
 * The light queue's consumer: each SQS record is one task delivery. A record whose task another
 * consumer holds ("busy"), or that this invocation had to give back before its timeout, is reported
 * in batchItemFailures (ReportBatchItemFailures) so that SQS delivers it again; the others are
 * deleted by the event source mapping. A body that is not `{job, task}` is reported too, and after
 * maxReceiveCount the queue's redrive policy keeps it in the dead-letter queue for a person to read.
 */
export function createRunTasksHandler(deps: Deps) {
  return async (
    event: SQSEvent,
    context?: Pick<Context, "getRemainingTimeInMillis">,
  ): Promise<SQSBatchResponse> => {
    const remaining = context?.getRemainingTimeInMillis() ?? Number.POSITIVE_INFINITY;
    const deadline = new AbortController();
    const timer = Number.isFinite(remaining)
      ? setTimeout(
          () => deadline.abort(new Error("the function is about to time out")),
          Math.max(0, remaining - STOP_MARGIN_MS),
        )
      : undefined;
    const recordHandler = async (record: SQSRecord) => {
      const body = parseBody(record, deps.logger);
      const result = await deliverTask(
        deps,
        {
          queue: queueOf(record, deps.env),
          message: body,
          receipt: record.receiptHandle,
          receiveCount: Number(record.attributes?.ApproximateReceiveCount ?? 1),
        },
        { signal: deadline.signal },
      );
      if (result === "busy")
        throw new TaskNotFinishedError(`task ${body.task} is not finished: deliver again`);
    };
    try {
      // A fresh processor per invocation: it holds the batch's state.
      return await processPartialResponse(event, recordHandler, new BatchProcessor(EventType.SQS), {
        throwOnFullBatchFailure: false,
      });
    } finally {
      clearTimeout(timer);
      flushMetrics(deps.metrics);
    }
  };
}

function parseBody(record: SQSRecord, logger: Deps["logger"]) {
  let json: unknown = null;
  try {
    json = JSON.parse(record.body);
  } catch {
    // reported below
  }
  const parsed = TaskMessageBody.safeParse(json);
  if (parsed.success) return parsed.data;
  const reason = `SQS message ${record.messageId}: body is not {job, task}; left for the dead-letter queue`;
  logger.warn("task message malformed", {
    reason,
    messageId: record.messageId,
    body: record.body.slice(0, 200),
  });
  throw new Error(reason);
}

/** The queue a record came from (the run-tasks function is mapped to the light queue). */
function queueOf(record: SQSRecord, env: Deps["env"]): QueueName {
  const name = record.eventSourceARN?.split(":").pop();
  return name && env.HEAVY_QUEUE_URL.endsWith(`/${name}`) ? "heavy" : "light";
}

/** Only the light-queue modules: the heavy ones load native packages this bundle does not carry. */
const lightModules = { taskModules: () => import("../tasks/light.ts").then((m) => m.LIGHT_TASK_MODULES) };

if (inLambda()) awsRuntime(lightModules); // a bad environment fails the cold start, naming the variable

let lambdaHandler: ReturnType<typeof createRunTasksHandler> | undefined;
export const handler = (event: SQSEvent, context: Context) => {
  const runtime = lambdaRuntime(context, lightModules); // per invocation: the request id in every log line
  lambdaHandler ??= createRunTasksHandler(runtime);
  return lambdaHandler(event, context);
};
