import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { StageConfig } from "../../config/index.ts";

export interface PipelineProps {
  readonly config: StageConfig;
  readonly dispatchJob: IFunction;
}

/** The state machines' physical names: functions and workers know their ARNs before they exist. */
export function stateMachineName(stage: string, workflow: "transfer" | "ingest"): string {
  return `stepmatica-${stage}-${workflow}`;
}
