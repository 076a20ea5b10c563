import type { ISecurityGroup, IVpc, SubnetSelection } from "aws-cdk-lib/aws-ec2";
import type { AccessPoint } from "aws-cdk-lib/aws-efs";
import type { Bucket } from "aws-cdk-lib/aws-s3";
import type { ITopic } from "aws-cdk-lib/aws-sns";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import type { StageConfig } from "../../config/index.ts";
import type { Database } from "../database/index.ts";

export interface AuditProps {
  readonly config: StageConfig;
  readonly vpc: IVpc;
  readonly subnets: SubnetSelection;
  readonly securityGroup: ISecurityGroup;
  readonly accessPoint: AccessPoint;
  readonly environment: Record<string, string>;
  readonly database: Database;
  readonly aipBucket: Bucket;
  /** Where an AIP too large to re-read in the function goes (a heavy worker audits it). */
  readonly heavyQueue: IQueue;
  readonly alarmTopic: ITopic;
}
