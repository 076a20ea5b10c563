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

/** The Powertools metric the task runner emits per finished job (namespace stepmatica, dimension service). */
export const JOB_DURATION_METRIC = "JobDurationSeconds";
