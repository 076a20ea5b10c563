import { Duration, Stack } from "aws-cdk-lib";
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type BucketProps,
  ObjectOwnership,
} from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import { acknowledge, dataRemovalPolicy, isRetained } from "../common.ts";
import { aipDurability } from "./durability.ts";
import type { StorageProps } from "./interfaces.ts";

/**
 * The three buckets: transfers (an upload under the transfer prefix starts a transfer, through
 * EventBridge), AIPs (versioned: the archive of record) and DIPs, plus the access-log bucket they log to.
 * All encrypted, private, TLS-only.
 */
export class Storage extends Construct {
  readonly transferBucket: Bucket;
  readonly aipBucket: Bucket;
  readonly dipBucket: Bucket;
  readonly accessLogsBucket: Bucket;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    const { config } = props;
    const removal = dataRemovalPolicy(config);
    const secure: BucketProps = {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: removal,
      // A destroyable stack must be able to delete non-empty buckets.
      autoDeleteObjects: !isRetained(config),
    };

    this.accessLogsBucket = new Bucket(this, "AccessLogsBucket", {
      ...secure,
      lifecycleRules: [
        { id: "expire-access-logs", expiration: Duration.days(Math.max(90, config.logRetentionDays)) },
      ],
    });
    acknowledge(
      this.accessLogsBucket,
      "AwsSolutions-S1",
      "This is the server-access-log bucket; logging it into itself would loop.",
    );
    const logged = (prefix: string): BucketProps => ({
      ...secure,
      serverAccessLogsBucket: this.accessLogsBucket,
      serverAccessLogsPrefix: `${prefix}/`,
    });

    this.transferBucket = new Bucket(this, "TransferBucket", {
      ...logged("transfer"),
      eventBridgeEnabled: true,
      lifecycleRules: [
        {
          id: "expire-transfer-leftovers",
          prefix: config.pipeline.transferPrefix,
          expiration: Duration.days(config.storage.transferLeftoverDays),
        },
        { id: "abort-incomplete-uploads", abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
    // eventBridgeEnabled is set through aws-cdk-lib's stack-wide bucket-notifications function.
    const notifications = Stack.of(this).node.tryFindChild(
      "BucketNotificationsHandler050a0587b7544547bf325f094a3db834",
    );
    if (notifications) {
      acknowledge(
        notifications,
        "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
        "aws-cdk-lib's bucket-notifications function only writes its own logs with the AWS basic execution policy.",
      );
    }
    this.aipBucket = new Bucket(this, "AipBucket", {
      ...logged("aip"),
      ...aipDurability(this, config),
      versioned: true,
      lifecycleRules: [
        {
          id: "expire-replaced-aip-versions",
          noncurrentVersionExpiration: Duration.days(config.storage.aipNoncurrentVersionDays),
        },
        { id: "abort-incomplete-uploads", abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
    this.dipBucket = new Bucket(this, "DipBucket", {
      ...logged("dip"),
      lifecycleRules: [
        { id: "abort-incomplete-uploads", abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
  }
}
