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

/**
 * With an identity provider, reading needs this group (or operators): a provider's directory holds
 * far more people than the archive's staff. Provider users get it from their groups; local accounts
 * are added by an administrator.
 */
export const READER_GROUP = "readers";

/** The custom user attribute (without "custom:") the provider's group claim is written to. */
export const PROVIDER_GROUPS_ATTRIBUTE = "provider_groups";
