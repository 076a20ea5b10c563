import type { IFunction } from "aws-cdk-lib/aws-lambda";
import type { Bucket } from "aws-cdk-lib/aws-s3";
import type { StageConfig } from "../../config/index.ts";

export interface ApiProps {
  readonly config: StageConfig;
  /** The dashboard API function (functions/handlers/api.ts): HTTP API payload 2.0 with JWT claims. */
  readonly handler: IFunction;
  /** Where the dashboard site's buckets write their server access logs. */
  readonly accessLogsBucket: Bucket;
  /** The transfer bucket: the page uploads to it by presigned PUT. */
  readonly uploadBucket: Bucket;
}

/** The Cognito group whose members may act (start transfers, answer decisions); everyone signed in reads. */
export const OPERATOR_GROUP = "operators";
