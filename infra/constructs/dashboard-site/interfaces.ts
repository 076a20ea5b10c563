import type { Bucket } from "aws-cdk-lib/aws-s3";
import type { StageConfig } from "../../config/index.ts";

export interface DashboardSiteProps {
  readonly config: StageConfig;
  /** The Cognito hosted sign-in base URL (https://<prefix>.auth.<region>.amazoncognito.com). */
  readonly signInUrl: string;
  /** Where the site bucket and the CloudFront log bucket write their S3 server access logs. */
  readonly accessLogsBucket: Bucket;
  /** The bucket the page uploads transfers to by presigned PUT (it gets a CORS rule for the site). */
  readonly uploadBucket: Bucket;
}

/** What the page reads from config.json beside index.html (functions/dashboard/README.md, "AWS"). */
export interface DashboardPageConfig {
  readonly apiBase: string;
  readonly auth: {
    readonly domain: string;
    readonly clientId: string;
    readonly redirectUri: string;
    /** Set when the provider is the only sign-in: the page asks Cognito to go straight to it. */
    readonly identityProvider?: string;
  };
}
