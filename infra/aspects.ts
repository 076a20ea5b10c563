import { Annotations, type IAspect } from "aws-cdk-lib";
import { CfnLogGroup } from "aws-cdk-lib/aws-logs";
import { CfnBucket } from "aws-cdk-lib/aws-s3";
import { CfnQueue } from "aws-cdk-lib/aws-sqs";
import type { IConstruct } from "constructs";
import type { StageConfig } from "./config/index.ts";

/**
 * Cross-cutting defaults and guards, applied to every resource of a stage's stack:
 * - a log group without retention (e.g. one created inside a library construct) gets the stage's;
 * - a bucket without encryption or a public-access block, or a queue without encryption, is a
 *   synthesis error: whoever adds one later cannot forget it.
 */
export class StageDefaults implements IAspect {
  constructor(private readonly config: StageConfig) {}

  visit(node: IConstruct): void {
    if (node instanceof CfnLogGroup && node.retentionInDays === undefined) {
      node.retentionInDays = this.config.logRetentionDays;
    }
    if (node instanceof CfnBucket && (!node.bucketEncryption || !node.publicAccessBlockConfiguration)) {
      Annotations.of(node).addError("stepmatica: every bucket is encrypted and blocks public access");
    }
    if (node instanceof CfnQueue && !node.sqsManagedSseEnabled && !node.kmsMasterKeyId) {
      Annotations.of(node).addError("stepmatica: every queue is encrypted (SSE-SQS or KMS)");
    }
  }
}
