import { Duration } from "aws-cdk-lib";
import { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { acknowledge, dataRemovalPolicy, WORK_MOUNT_PATH } from "../common.ts";
import { bundlingOptions } from "./bundling.ts";
import { functionDefaults } from "./defaults.ts";
import { ScopedEfsMount } from "./efs-mount.ts";
import type { StepmaticaFunctionProps } from "./interfaces.ts";
import { signatureFileHooks } from "./signature-files.ts";

export const METRICS_NAMESPACE = "stepmatica";

/**
 * One stepmatica Lambda function with the defaults fixed once: Node.js 24 on ARM64, esbuild bundling
 * without Docker, X-Ray tracing, JSON logs into a log group with the stage's retention, in the VPC's
 * private subnets with the working storage mounted at WORK_ROOT, Powertools service and namespace set.
 */
export class StepmaticaFunction extends Construct {
  readonly function: NodejsFunction;

  constructor(scope: Construct, id: string, props: StepmaticaFunctionProps) {
    super(scope, id);
    const logGroup = new LogGroup(this, "Logs", {
      retention: props.config.logRetentionDays,
      removalPolicy: dataRemovalPolicy(props.config),
    });
    this.function = new NodejsFunction(this, "Function", {
      description: props.description,
      ...functionDefaults(props.config, props.name),
      memorySize: props.memoryMb ?? props.config.functions.memoryMb,
      timeout: Duration.seconds(props.timeoutSeconds),
      logGroup,
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroups: [props.securityGroup],
      filesystem: new ScopedEfsMount(props.accessPoint, WORK_MOUNT_PATH),
      ...(props.deadLetterQueue ? { deadLetterQueue: props.deadLetterQueue } : {}),
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: `stepmatica-${props.name}`,
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        NODE_OPTIONS: "--enable-source-maps",
      },
      ...(props.identifiesFormats
        ? { bundling: { ...bundlingOptions(), commandHooks: signatureFileHooks() } }
        : {}),
    });
    acknowledge(
      this.function,
      "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
      "The AWS basic execution policy only lets the function write its own log streams.",
    );
    acknowledge(
      this.function,
      "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole]",
      "A function in a VPC needs the ENI permissions of this AWS policy; EC2 does not scope them to resources.",
    );
    acknowledge(
      this.function,
      "AwsSolutions-IAM5[Resource::*]",
      "X-Ray PutTraceSegments/PutTelemetryRecords do not support resource-level permissions.",
    );
  }
}
