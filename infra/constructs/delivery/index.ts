import { type CfnElement, CfnParameter, Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import { BuildSpec, ComputeType, LinuxArmBuildImage, PipelineProject } from "aws-cdk-lib/aws-codebuild";
import { Artifact, Pipeline, PipelineType } from "aws-cdk-lib/aws-codepipeline";
import {
  CodeBuildAction,
  CodeStarConnectionsSourceAction,
  ManualApprovalAction,
} from "aws-cdk-lib/aws-codepipeline-actions";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import { BlockPublicAccess, Bucket, BucketEncryption } from "aws-cdk-lib/aws-s3";
import { Construct } from "constructs";
import { acknowledge } from "../common.ts";

/** The pipeline's stages in order: what the template assertions check. */
export const DELIVERY_STAGES = [
  "Source",
  "DeployStaging",
  "SmokeStaging",
  "Approve",
  "DeployProduction",
] as const;

const INSTALL = ["n 20 || true", "npm ci"];

/**
 * Continuous delivery of stepmatica: the repository (through a CodeStar connection) → deploy staging
 * (`cdk deploy -c env=staging`) → the smoke check against staging (`npm run smoke -- --env staging`;
 * it refuses production) → a manual approval → deploy production. The CodeBuild steps run the same
 * commands infra/README.md gives for deploying by hand, so there is one way to deploy.
 */
export class DeliveryPipeline extends Construct {
  readonly pipeline: Pipeline;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const connectionArn = new CfnParameter(this, "ConnectionArn", {
      description: "The CodeStar connection (GitHub, GitLab, Bitbucket) to the repository",
      type: "String",
    });
    const owner = new CfnParameter(this, "RepositoryOwner", { type: "String" });
    const repository = new CfnParameter(this, "RepositoryName", { type: "String" });
    const branch = new CfnParameter(this, "Branch", { type: "String", default: "main" });
    const alarmEmail = new CfnParameter(this, "AlarmEmail", {
      description: "Subscribed to each environment's alarm topic",
      type: "String",
    });

    const key = new Key(this, "ArtifactsKey", {
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const logs = new Bucket(this, "ArtifactsAccessLogs", {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.DESTROY,
    });
    acknowledge(
      logs,
      "AwsSolutions-S1",
      "This is the server-access-log bucket of the artifact bucket; logging it into itself would loop.",
    );
    const artifacts = new Bucket(this, "Artifacts", {
      encryption: BucketEncryption.KMS,
      encryptionKey: key,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      serverAccessLogsBucket: logs,
      lifecycleRules: [{ expiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const source = new Artifact("Source");
    const step = (name: string, commands: string[], timeoutMinutes: number) => {
      const project = new PipelineProject(this, name, {
        description: `stepmatica delivery: ${name}`,
        encryptionKey: key,
        timeout: Duration.minutes(timeoutMinutes),
        environment: {
          buildImage: LinuxArmBuildImage.AMAZON_LINUX_2023_STANDARD_3_0,
          computeType: ComputeType.LARGE,
          privileged: true, // docker buildx: the worker image
        },
        environmentVariables: { ALARM_EMAIL: { value: alarmEmail.valueAsString } },
        buildSpec: BuildSpec.fromObject({
          version: "0.2",
          phases: { install: { commands: INSTALL }, build: { commands } },
        }),
      });
      // cdk deploy assumes the bootstrap roles; the smoke check reads outputs, uploads, polls.
      project.addToRolePolicy(
        new PolicyStatement({ actions: ["sts:AssumeRole"], resources: ["arn:*:iam::*:role/cdk-*"] }),
      );
      acknowledge(
        project,
        "AwsSolutions-IAM5[Resource::arn:*:iam::*:role/cdk-*]",
        "cdk deploy assumes the CDK bootstrap roles (cdk-<qualifier>-deploy/file-publishing/image-publishing-role-<account>-<region>), named by the bootstrap, not by this stack.",
      );
      acknowledgeArtifactGrants(project, artifacts);
      const id = Stack.of(this).getLogicalId(project.node.defaultChild as CfnElement);
      acknowledge(
        project,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:<AWS::Region>:<AWS::AccountId>:log-group:/aws/codebuild/<${id}>:*]`,
        "aws-cdk-lib's grant for the project's own log group (its streams are named per build).",
      );
      acknowledge(
        project,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:codebuild:<AWS::Region>:<AWS::AccountId>:report-group/<${id}>-*]`,
        "aws-cdk-lib's grant for the project's own test-report groups.",
      );
      acknowledge(
        project,
        "AwsSolutions-CB3",
        "Privileged mode builds the worker's container image with docker buildx during cdk deploy.",
      );
      return project;
    };
    const deployStaging = step(
      "DeployStagingProject",
      ["npx cdk deploy -c env=staging -c alarmEmail=$ALARM_EMAIL --require-approval never"],
      60,
    );
    const smoke = step("SmokeStagingProject", ["npm run smoke -- --env staging"], 45);
    smoke.addToRolePolicy(
      new PolicyStatement({
        actions: ["cloudformation:DescribeStacks"],
        resources: ["arn:aws:cloudformation:*:*:stack/StepmaticaStaging/*"],
      }),
    );
    acknowledge(
      smoke,
      "AwsSolutions-IAM5[Resource::arn:aws:cloudformation:*:*:stack/StepmaticaStaging/*]",
      "The staging stack's id suffix is assigned by CloudFormation; the wildcard stays on that one stack name.",
    );
    const deployProduction = step(
      "DeployProductionProject",
      ["npx cdk deploy -c env=production -c alarmEmail=$ALARM_EMAIL --require-approval never"],
      60,
    );

    const pipeline = new Pipeline(this, "Pipeline", {
      pipelineName: "stepmatica-delivery",
      pipelineType: PipelineType.V2,
      artifactBucket: artifacts,
      restartExecutionOnUpdate: false,
      stages: [
        {
          stageName: "Source",
          actions: [
            new CodeStarConnectionsSourceAction({
              actionName: "Repository",
              connectionArn: connectionArn.valueAsString,
              owner: owner.valueAsString,
              repo: repository.valueAsString,
              branch: branch.valueAsString,
              output: source,
            }),
          ],
        },
        {
          stageName: "DeployStaging",
          actions: [new CodeBuildAction({ actionName: "CdkDeploy", project: deployStaging, input: source })],
        },
        {
          stageName: "SmokeStaging",
          actions: [new CodeBuildAction({ actionName: "Smoke", project: smoke, input: source })],
        },
        {
          stageName: "Approve",
          actions: [
            new ManualApprovalAction({
              actionName: "PromoteToProduction",
              additionalInformation:
                "Staging deployed and its smoke check passed: promote this revision to production?",
            }),
          ],
        },
        {
          stageName: "DeployProduction",
          actions: [
            new CodeBuildAction({ actionName: "CdkDeploy", project: deployProduction, input: source }),
          ],
        },
      ],
    });
    acknowledgeArtifactGrants(pipeline, artifacts, ["s3:DeleteObject*", "s3:Abort*"]);
    this.pipeline = pipeline;
  }
}

/** aws-cdk-lib's grants on the artifact bucket and its key: wildcard actions on that one bucket and key. */
function acknowledgeArtifactGrants(scope: Construct, artifacts: Bucket, extraActions: string[] = []): void {
  const bucketId = Stack.of(scope).getLogicalId(artifacts.node.defaultChild as CfnElement);
  const why =
    "aws-cdk-lib's grant on the pipeline's own artifact bucket and key (read/write of build artifacts), nothing else.";
  for (const action of [
    "kms:GenerateDataKey*",
    "kms:ReEncrypt*",
    "s3:GetBucket*",
    "s3:GetObject*",
    "s3:List*",
    ...extraActions,
  ])
    acknowledge(scope, `AwsSolutions-IAM5[Action::${action}]`, why);
  acknowledge(scope, `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/*]`, why);
}
