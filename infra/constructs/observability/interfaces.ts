import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { Queue } from "aws-cdk-lib/aws-sqs";
import type { StateMachine } from "aws-cdk-lib/aws-stepfunctions";
import type { StageConfig } from "../../config/index.ts";

export interface ObservabilityProps {
  readonly config: StageConfig;
  readonly transfer: StateMachine;
  readonly ingest: StateMachine;
  readonly queues: { light: Queue; heavy: Queue };
  readonly deadLetterQueues: Record<string, Queue>;
  /** Functions whose errors page someone (start-transfer, dispatch-job). */
  readonly criticalFunctions: Record<string, IFunction>;
  readonly runTasks: IFunction;
}

/** Powertools metrics (namespace stepmatica, dimension service) that the dashboard charts. */
export const TASK_DURATION_METRIC = "TaskDeliveryDuration";
/** Per settled job; charted when the task runner emits it. */
export const JOB_DURATION_METRIC = "JobDurationSeconds";
