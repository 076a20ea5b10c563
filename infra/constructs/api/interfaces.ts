import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { StageConfig } from "../../config/index.ts";

export interface ApiProps {
  readonly config: StageConfig;
  /** The dashboard API function (functions/handlers/api.ts): HTTP API payload 2.0 with JWT claims. */
  readonly handler: IFunction;
}

/** The Cognito group whose members may act (start transfers, answer decisions); everyone signed in reads. */
export const OPERATOR_GROUP = "operators";
