import path from "node:path";
import { Duration } from "aws-cdk-lib";
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  HttpVersion,
  PriceClass,
  ViewerProtocolPolicy,
} from "aws-cdk-lib/aws-cloudfront";
import { S3BucketOrigin } from "aws-cdk-lib/aws-cloudfront-origins";
import { LogGroup } from "aws-cdk-lib/aws-logs";
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type BucketProps,
  HttpMethods,
  ObjectOwnership,
} from "aws-cdk-lib/aws-s3";
import { BucketDeployment, CacheControl, Source } from "aws-cdk-lib/aws-s3-deployment";
import { Construct } from "constructs";
import type { StageConfig } from "../../config/index.ts";
import { dataRemovalPolicy, isRetained, REPO_ROOT } from "../common.ts";
import { securityHeadersPolicy } from "./headers.ts";
import type { DashboardPageConfig, DashboardSiteProps } from "./interfaces.ts";
import { acknowledgeDeployment, acknowledgeDistribution } from "./nag.ts";

/** The page's static files (plain HTML, CSS and ES modules: no build step). */
export const DASHBOARD_WEB_DIR = path.join(REPO_ROOT, "functions/dashboard/web");

/**
 * The dashboard page on AWS: a private bucket (encrypted, TLS-only, access-logged) read only by a
 * CloudFront distribution through Origin Access Control, HTTPS only, with a strict CSP, HSTS and
 * no referrer. `publish` deploys the page and its config.json once the API and the sign-in client
 * exist (they name this site's URL, so the site comes first).
 */
export class DashboardSite extends Construct {
  readonly bucket: Bucket;
  readonly logBucket: Bucket;
  readonly distribution: Distribution;
  /** https://<id>.cloudfront.net — a browser origin (no trailing slash). */
  readonly origin: string;
  /** https://<id>.cloudfront.net/ — the page, and Cognito's sign-in return address. */
  readonly url: string;
  private readonly config: StageConfig;
  private deployment: BucketDeployment | undefined;

  constructor(scope: Construct, id: string, props: DashboardSiteProps) {
    super(scope, id);
    const { config } = props;
    this.config = config;
    const secure: BucketProps = {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      removalPolicy: dataRemovalPolicy(config),
      autoDeleteObjects: !isRetained(config),
      serverAccessLogsBucket: props.accessLogsBucket,
    };
    this.bucket = new Bucket(this, "Bucket", {
      ...secure,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsPrefix: "dashboard-site/",
    });
    // CloudFront's standard logs are delivered with an ACL grant, so this bucket keeps ACLs enabled.
    this.logBucket = new Bucket(this, "CdnLogs", {
      ...secure,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      serverAccessLogsPrefix: "dashboard-cdn-logs/",
      lifecycleRules: [
        { id: "expire-cdn-logs", expiration: Duration.days(Math.max(90, config.logRetentionDays)) },
      ],
    });
    this.distribution = new Distribution(this, "Distribution", {
      comment: `stepmatica ${config.stage} dashboard`,
      defaultRootObject: "index.html",
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: securityHeadersPolicy(this, "SecurityHeaders", props.signInUrl),
        compress: true,
      },
      httpVersion: HttpVersion.HTTP2_AND_3,
      priceClass: PriceClass.PRICE_CLASS_100,
      enableLogging: true,
      logBucket: this.logBucket,
      logFilePrefix: "cloudfront/",
    });
    acknowledgeDistribution(this.distribution);
    this.origin = `https://${this.distribution.distributionDomainName}`;
    this.url = `${this.origin}/`;

    // The page uploads transfers straight to the upload bucket (presigned PUT) from this origin.
    props.uploadBucket.addCorsRule({
      id: "dashboard-uploads",
      allowedMethods: [HttpMethods.PUT],
      allowedOrigins: [this.origin],
      allowedHeaders: ["content-type"],
      exposedHeaders: ["ETag"],
      maxAge: 3600,
    });
  }

  /**
   * Deploys the page and its config.json (CDK tokens resolved at deploy time). The objects say
   * `Cache-Control: no-cache`, so CloudFront and browsers revalidate them and a deploy needs no
   * invalidation (which would grant the deployment function cloudfront:CreateInvalidation on "*").
   */
  publish(page: DashboardPageConfig): BucketDeployment {
    if (this.deployment) throw new Error("the dashboard page is published once per site");
    const logGroup = new LogGroup(this, "DeploymentLogs", {
      retention: this.config.logRetentionDays,
      removalPolicy: dataRemovalPolicy(this.config),
    });
    this.deployment = new BucketDeployment(this, "Page", {
      sources: [Source.asset(DASHBOARD_WEB_DIR), Source.jsonData("config.json", page)],
      destinationBucket: this.bucket,
      cacheControl: [CacheControl.noCache()],
      prune: true,
      logGroup,
      memoryLimit: 256,
    });
    acknowledgeDeployment(this.deployment, this.bucket);
    return this.deployment;
  }
}
