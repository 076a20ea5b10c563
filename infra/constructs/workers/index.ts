import { Duration, IgnoreMode, Stack } from "aws-cdk-lib";
import { AdjustmentType } from "aws-cdk-lib/aws-applicationautoscaling";
import { AutoScalingGroup, BlockDeviceVolume, EbsDeviceVolumeType } from "aws-cdk-lib/aws-autoscaling";
import { InstanceType } from "aws-cdk-lib/aws-ec2";
import { Platform } from "aws-cdk-lib/aws-ecr-assets";
import {
  AmiHardwareType,
  AsgCapacityProvider,
  type CfnCluster,
  Cluster,
  ContainerImage,
  ContainerInsights,
  Ec2Service,
  Ec2TaskDefinition,
  EcsOptimizedImage,
  LogDrivers,
  NetworkMode,
} from "aws-cdk-lib/aws-ecs";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { LogGroup } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { acknowledge, dataRemovalPolicy, REPO_ROOT, WORK_MOUNT_PATH } from "../common.ts";
import { METRICS_NAMESPACE } from "../functions/stepmatica-function.ts";
import { grantWorkerAccess } from "./grants.ts";
import { scratchMountCommands } from "./host-user-data.ts";
import {
  SCRATCH_PATH,
  SIGNATURE_REFRESH_HOURS,
  SIGNATURES_PATH,
  TASK_PROTECTION_MINUTES,
  WORKER_IMAGE_EXCLUDES,
  type WorkersProps,
} from "./interfaces.ts";

/**
 * The heavy-task workers: an ECS cluster on EC2 (Graviton hosts from an Auto Scaling group capacity
 * provider, each with an encrypted EBS scratch volume), the worker image built from
 * functions/worker/Dockerfile, and a service that scales on the heavy queue's depth. A task protects
 * itself from scale-in while it runs a task (ECS task scale-in protection, via the agent endpoint).
 */
export class Workers extends Construct {
  readonly cluster: Cluster;
  readonly service: Ec2Service;
  readonly taskDefinition: Ec2TaskDefinition;
  readonly capacityProvider: AsgCapacityProvider;

  constructor(scope: Construct, id: string, props: WorkersProps) {
    super(scope, id);
    const { config } = props;
    const workers = config.workers;
    this.cluster = new Cluster(this, "Cluster", {
      vpc: props.vpc,
      containerInsightsV2: config.operations.containerInsights
        ? ContainerInsights.ENABLED
        : ContainerInsights.DISABLED,
    });
    if (!config.operations.containerInsights) {
      acknowledge(
        this.cluster,
        "AwsSolutions-ECS4",
        "Container Insights is a stage setting (operations.containerInsights): off where its per-metric charges outweigh its use (staging); the queue and pipeline metrics remain.",
      );
    }

    const hosts = new AutoScalingGroup(this, "Hosts", {
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      instanceType: new InstanceType(workers.instanceType),
      machineImage: EcsOptimizedImage.amazonLinux2023(AmiHardwareType.ARM),
      securityGroup: props.hostsSecurityGroup,
      requireImdsv2: true,
      minCapacity: workers.minInstances,
      maxCapacity: workers.maxInstances,
      newInstancesProtectedFromScaleIn: workers.instanceTerminationProtection,
      blockDevices: [
        {
          deviceName: "/dev/xvda",
          volume: BlockDeviceVolume.ebs(30, { encrypted: true, volumeType: EbsDeviceVolumeType.GP3 }),
        },
        {
          deviceName: "/dev/sdb",
          volume: BlockDeviceVolume.ebs(workers.scratchVolumeGb, {
            encrypted: true,
            volumeType: EbsDeviceVolumeType.GP3,
            deleteOnTermination: true,
          }),
        },
      ],
    });
    hosts.addUserData(...scratchMountCommands());
    this.capacityProvider = new AsgCapacityProvider(this, "CapacityProvider", {
      autoScalingGroup: hosts,
      enableManagedTerminationProtection: workers.instanceTerminationProtection,
      enableManagedDraining: true,
      targetCapacityPercent: 100,
    });
    this.cluster.addAsgCapacityProvider(this.capacityProvider);

    this.taskDefinition = new Ec2TaskDefinition(this, "TaskDefinition", {
      networkMode: NetworkMode.AWS_VPC,
      volumes: [
        {
          name: "work",
          efsVolumeConfiguration: {
            fileSystemId: props.fileSystem.fileSystemId,
            transitEncryption: "ENABLED",
            authorizationConfig: { accessPointId: props.accessPoint.accessPointId, iam: "ENABLED" },
          },
        },
        { name: "scratch", host: { sourcePath: SCRATCH_PATH } },
      ],
    });
    const logGroup = new LogGroup(this, "Logs", {
      retention: config.logRetentionDays,
      removalPolicy: dataRemovalPolicy(config),
    });
    const container = this.taskDefinition.addContainer("worker", {
      image: ContainerImage.fromAsset(REPO_ROOT, {
        file: "functions/worker/Dockerfile",
        platform: Platform.LINUX_ARM64,
        ignoreMode: IgnoreMode.DOCKER,
        exclude: WORKER_IMAGE_EXCLUDES,
      }),
      cpu: workers.taskCpu,
      memoryLimitMiB: workers.taskMemoryMb,
      logging: LogDrivers.awsLogs({ streamPrefix: "worker", logGroup }),
      stopTimeout: Duration.seconds(120),
      environment: {
        ...props.environment,
        POWERTOOLS_SERVICE_NAME: "stepmatica-worker",
        POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
        // Heavy tasks' temporary files (tools' scratch, link farms) go to the host's EBS volume.
        SCRATCH_ROOT: SCRATCH_PATH,
        // The official signatures: seeded from the image, kept current on EFS, required to start.
        STEPMATICA_CLAMAV_DB_DIR: SIGNATURES_PATH,
        SIGNATURE_REFRESH_HOURS: String(SIGNATURE_REFRESH_HOURS),
        STEPMATICA_REQUIRE_OFFICIAL_SIGNATURES: "true",
        TASK_PROTECTION_MINUTES: String(TASK_PROTECTION_MINUTES),
      },
    });
    container.addMountPoints(
      { sourceVolume: "work", containerPath: WORK_MOUNT_PATH, readOnly: false },
      { sourceVolume: "scratch", containerPath: SCRATCH_PATH, readOnly: false },
    );

    this.service = new Ec2Service(this, "Service", {
      cluster: this.cluster,
      taskDefinition: this.taskDefinition,
      desiredCount: workers.minTasks,
      capacityProviderStrategies: [
        { capacityProvider: this.capacityProvider.capacityProviderName, weight: 1 },
      ],
      vpcSubnets: props.subnets,
      securityGroups: [props.securityGroup],
      minHealthyPercent: 100,
      maxHealthyPercent: 200,
      circuitBreaker: { rollback: true },
    });
    props.fileSystem.connections.allowDefaultPortFrom(props.securityGroup, "NFS from the worker tasks");
    this.scaleOnQueueDepth(workers.minTasks, workers.maxTasks, props);

    const taskRole = this.taskDefinition.taskRole;
    grantWorkerAccess(taskRole, props);
    // Task scale-in protection is set by the worker through the ECS agent, with the task role's credentials.
    taskRole.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ["ecs:UpdateTaskProtection", "ecs:GetTaskProtection"],
        resources: [
          Stack.of(this).formatArn({
            service: "ecs",
            resource: "task",
            resourceName: `${this.cluster.clusterName}/*`,
          }),
        ],
      }),
    );
    this.acknowledgeFindings(hosts);
  }

  private scaleOnQueueDepth(minTasks: number, maxTasks: number, props: WorkersProps): void {
    const scaling = this.service.autoScaleTaskCount({ minCapacity: minTasks, maxCapacity: maxTasks });
    scaling.scaleOnMetric("HeavyQueueDepth", {
      metric: props.queues.heavy.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(1),
        statistic: "Maximum",
      }),
      adjustmentType: AdjustmentType.CHANGE_IN_CAPACITY,
      scalingSteps: [
        { upper: 0, change: -1 },
        { lower: 1, change: +1 },
        { lower: 20, change: +2 },
        { lower: 100, change: +4 },
      ],
      cooldown: Duration.minutes(2),
    });
  }

  private acknowledgeFindings(hosts: AutoScalingGroup): void {
    const stack = Stack.of(this);
    const clusterId = stack.getLogicalId(this.cluster.node.defaultChild as CfnCluster);
    acknowledge(
      this.taskDefinition.taskRole,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ecs:<AWS::Region>:<AWS::AccountId>:task/<${clusterId}>/*]`,
      "Task scale-in protection is set on the worker's own task, whose id is unknown at deploy time; the wildcard stays inside this cluster.",
    );
    acknowledge(
      hosts.role,
      "AwsSolutions-IAM5[Resource::*]",
      "The ECS container-agent actions aws-cdk-lib grants the hosts (ecs:DiscoverPollEndpoint, ecr:GetAuthorizationToken, ...) do not support resource-level permissions.",
    );
    acknowledge(
      hosts.role,
      "AwsSolutions-IAM5[Action::ecs:Submit*]",
      "ecs:Submit* are the container agent's state-change reports for this cluster, granted by aws-cdk-lib's cluster integration.",
    );
    acknowledge(
      this.taskDefinition.obtainExecutionRole(),
      "AwsSolutions-IAM5[Resource::*]",
      "ecr:GetAuthorizationToken, needed to pull the worker image, does not support resource-level permissions.",
    );
    acknowledge(
      this.taskDefinition,
      "AwsSolutions-ECS2",
      "The variables are resource names, ARNs and limits, none secret; credentials come from Secrets Manager through the Data API.",
    );
    acknowledge(
      hosts,
      "AwsSolutions-AS3",
      "Host launches and terminations are driven by the ECS capacity provider and visible in its metrics; the pipeline alarms cover the effect that matters (queue depth, no progress).",
    );
  }
}
