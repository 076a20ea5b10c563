import { Match } from "aws-cdk-lib/assertions";
import { beforeAll, describe, expect, it } from "vitest";
import { STAGE_NAMES, type StageName } from "../../infra/config/index.ts";
import { VISIBILITY_FACTOR } from "../../infra/config/schema.ts";
import { migrationsHash } from "../../infra/constructs/database/index.ts";
import { MAX_RECEIVE_COUNT } from "../../infra/constructs/queues/interfaces.ts";
import { type Synthesized, synthesize } from "./synth.ts";
import {
  actionsOf,
  grantsOf,
  only,
  prop,
  resourcesOf,
  resourcesOfStatement,
  type Statement,
  statementsOfRole,
} from "./template-queries.ts";

let synth: Synthesized;
beforeAll(async () => {
  synth = await synthesize();
});
const t = (stage: StageName) => synth.templates[stage];
const ref = (id: string) => ({ Ref: id });
const arnOf = (id: string) => ({ "Fn::GetAtt": [id, "Arn"] });

/** The four stepmatica functions, by their Powertools service name. */
function stepmaticaFunctions(stage: StageName) {
  return Object.entries(resourcesOf(t(stage), "AWS::Lambda::Function")).filter(([id]) =>
    id.startsWith("Functions"),
  );
}

describe.each(STAGE_NAMES)("%s template", (stage) => {
  it("Storage: every bucket encrypted, private, TLS-only; AIPs versioned; transfer leftovers expire", () => {
    const buckets = resourcesOf(t(stage), "AWS::S3::Bucket");
    expect(Object.keys(buckets)).toHaveLength(4);
    for (const bucket of Object.values(buckets)) {
      expect(bucket.Properties).toMatchObject({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      });
    }
    const policies = Object.values(resourcesOf(t(stage), "AWS::S3::BucketPolicy"));
    expect(policies).toHaveLength(4);
    for (const policy of policies) {
      expect(JSON.stringify(policy.Properties)).toContain('"aws:SecureTransport":"false"');
    }
    const [, aip] = only(t(stage), "AWS::S3::Bucket", "StorageAipBucket");
    expect(aip.Properties?.VersioningConfiguration).toEqual({ Status: "Enabled" });
    const [transferId, transfer] = only(t(stage), "AWS::S3::Bucket", "StorageTransferBucket");
    expect(transfer.Properties?.LifecycleConfiguration).toMatchObject({
      Rules: expect.arrayContaining([
        expect.objectContaining({
          Prefix: "transfers/",
          ExpirationInDays: expect.any(Number),
          Status: "Enabled",
        }),
      ]),
    });
    t(stage).hasResourceProperties("Custom::S3BucketNotifications", {
      BucketName: ref(transferId),
      NotificationConfiguration: { EventBridgeConfiguration: {} },
    });
  });

  it("Functions: an EventBridge rule on the transfer bucket's Object Created targets start-transfer, with a DLQ", () => {
    const [transferId] = only(t(stage), "AWS::S3::Bucket", "StorageTransferBucket");
    const [startId] = only(t(stage), "AWS::Lambda::Function", "FunctionsStartTransferFunction");
    const [dlqId] = only(t(stage), "AWS::SQS::Queue", "QueuesTransferEventsDeadLetterQueue");
    t(stage).hasResourceProperties("AWS::Events::Rule", {
      EventPattern: {
        source: ["aws.s3"],
        "detail-type": ["Object Created"],
        detail: { bucket: { name: [ref(transferId)] }, object: { key: [{ prefix: "transfers/" }] } },
      },
      Targets: [Match.objectLike({ Arn: arnOf(startId), DeadLetterConfig: { Arn: arnOf(dlqId) } })],
    });
  });

  it("Network: private subnets, an S3 gateway endpoint, NAT or interface endpoints per environment, flow logs", () => {
    const subnets = Object.values(resourcesOf(t(stage), "AWS::EC2::Subnet"));
    expect(subnets.filter((s) => s.Properties?.MapPublicIpOnLaunch !== true).length).toBeGreaterThanOrEqual(
      2,
    );
    const endpoints = Object.values(resourcesOf(t(stage), "AWS::EC2::VPCEndpoint"));
    const gateway = endpoints.filter((e) => e.Properties?.VpcEndpointType === "Gateway");
    expect(gateway).toHaveLength(1);
    expect(JSON.stringify(gateway[0]!.Properties?.ServiceName)).toContain(".s3");
    const interfaces = endpoints.filter((e) => e.Properties?.VpcEndpointType === "Interface");
    const nats = Object.keys(resourcesOf(t(stage), "AWS::EC2::NatGateway"));
    if (stage === "production") {
      const services = interfaces.map((e) => JSON.stringify(e.Properties?.ServiceName));
      for (const service of [".sqs", ".states", ".rds-data", ".logs", ".ecr.dkr", ".ecs-agent"]) {
        expect(
          services.some((s) => s.includes(`${service}"`)),
          service,
        ).toBe(true);
      }
      expect(nats).toHaveLength(2);
    } else {
      expect(interfaces).toHaveLength(0);
      expect(nats).toHaveLength(1);
    }
    t(stage).resourceCountIs("AWS::EC2::FlowLog", 1);
  });

  it("Working storage: encrypted EFS with an access point mounted by every function and the worker task", () => {
    const [fsId, fs] = only(t(stage), "AWS::EFS::FileSystem", "WorkingStorageFileSystem");
    expect(fs.Properties?.Encrypted).toBe(true);
    const [apId] = only(t(stage), "AWS::EFS::AccessPoint", "WorkingStorageFileSystemWorkAccessPoint");
    const functions = stepmaticaFunctions(stage);
    expect(functions).toHaveLength(4);
    for (const [id, fn] of functions) {
      const mounts = fn.Properties?.FileSystemConfigs as Array<{ Arn: unknown; LocalMountPath: string }>;
      expect(mounts, id).toHaveLength(1);
      expect(mounts[0]!.LocalMountPath).toBe("/mnt/work");
      expect(JSON.stringify(mounts[0]!.Arn), id).toContain(`":access-point/",{"Ref":"${apId}"}`);
      const role = prop<{ "Fn::GetAtt": [string, string] }>(fn, "Role")["Fn::GetAtt"][0];
      const mount = grantsOf(t(stage), role, "elasticfilesystem:ClientMount");
      expect(mount.length, id).toBeGreaterThan(0);
      for (const s of mount) expect(resourcesOfStatement(s), id).toEqual([arnOf(fsId)]);
    }
    t(stage).hasResourceProperties("AWS::ECS::TaskDefinition", {
      Volumes: Match.arrayWith([
        {
          Name: "work",
          EFSVolumeConfiguration: {
            FilesystemId: ref(fsId),
            TransitEncryption: "ENABLED",
            AuthorizationConfig: { AccessPointId: ref(apId), IAM: "ENABLED" },
          },
        },
      ]),
      ContainerDefinitions: [
        Match.objectLike({
          MountPoints: Match.arrayWith([
            { ContainerPath: "/mnt/work", ReadOnly: false, SourceVolume: "work" },
          ]),
        }),
      ],
    });
    // EBS scratch on the EC2 hosts: an encrypted second volume.
    t(stage).hasResourceProperties("AWS::EC2::LaunchTemplate", {
      LaunchTemplateData: Match.objectLike({
        BlockDeviceMappings: Match.arrayWith([
          Match.objectLike({
            DeviceName: "/dev/sdb",
            Ebs: Match.objectLike({ Encrypted: true, VolumeType: "gp3" }),
          }),
        ]),
      }),
    });
  });

  it("Database: Aurora Serverless v2 PostgreSQL, Data API on, encrypted, secret in Secrets Manager, migrations at deploy", () => {
    const [clusterId, cluster] = only(t(stage), "AWS::RDS::DBCluster", "DatabaseCluster");
    expect(cluster.Properties).toMatchObject({
      Engine: "aurora-postgresql",
      EnableHttpEndpoint: true,
      StorageEncrypted: true,
      ServerlessV2ScalingConfiguration: expect.any(Object),
    });
    expect(JSON.stringify(cluster.Properties?.MasterUserPassword)).toContain("secretsmanager");
    t(stage).hasResourceProperties("Custom::StepmaticaMigrations", { MigrationsHash: migrationsHash() });
    const [, migrations] = only(t(stage), "Custom::StepmaticaMigrations", "DatabaseMigrations");
    expect(migrations.DependsOn).toEqual(expect.arrayContaining([clusterId]));
    const instances = Object.values(resourcesOf(t(stage), "AWS::RDS::DBInstance"));
    expect(instances.every((i) => i.Properties?.DBInstanceClass === "db.serverless")).toBe(true);
    expect(instances).toHaveLength(stage === "production" ? 2 : 1);
  });

  it("Cache: serverless Valkey, TLS endpoint, reachable only from the functions and the workers", () => {
    const [, cache] = only(t(stage), "AWS::ElastiCache::ServerlessCache", "Cache");
    expect(cache.Properties?.Engine).toBe("valkey");
    const [cacheSgId] = only(t(stage), "AWS::EC2::SecurityGroup", "CacheSecurityGroup");
    const [functionsSgId] = only(t(stage), "AWS::EC2::SecurityGroup", "NetworkFunctionsSecurityGroup");
    const [workersSgId] = only(t(stage), "AWS::EC2::SecurityGroup", "NetworkWorkersSecurityGroup");
    const ingress = Object.values(resourcesOf(t(stage), "AWS::EC2::SecurityGroupIngress")).filter(
      (r) =>
        JSON.stringify(r.Properties?.GroupId) === JSON.stringify({ "Fn::GetAtt": [cacheSgId, "GroupId"] }),
    );
    const sources = ingress.map(
      (r) => prop<{ "Fn::GetAtt": string[] }>(r, "SourceSecurityGroupId")["Fn::GetAtt"][0],
    );
    expect(sources.sort()).toEqual([functionsSgId, workersSgId].sort());
    const env = JSON.stringify(stepmaticaFunctions(stage)[0]![1].Properties?.Environment);
    expect(env).toContain("rediss://");
    expect(env).toContain('"REDIS_CLUSTER":"true"');
  });

  it("Queues: encrypted, TLS-only, DLQs after a few receives with alarms, visibility >= 6x the consumer timeout", () => {
    const queues = resourcesOf(t(stage), "AWS::SQS::Queue");
    expect(Object.keys(queues)).toHaveLength(5);
    for (const queue of Object.values(queues)) expect(queue.Properties?.SqsManagedSseEnabled).toBe(true);
    for (const policy of Object.values(resourcesOf(t(stage), "AWS::SQS::QueuePolicy"))) {
      expect(JSON.stringify(policy.Properties)).toContain('"aws:SecureTransport":"false"');
    }
    const [, runTasks] = only(t(stage), "AWS::Lambda::Function", "FunctionsRunTasksFunction");
    const consumerTimeout = {
      Light: runTasks.Properties?.Timeout as number,
      Heavy: synth.stacks[stage].config.workers.heavyTaskTimeoutSeconds,
    };
    for (const name of ["Light", "Heavy"] as const) {
      const [, queue] = only(t(stage), "AWS::SQS::Queue", `Queues${name}Queue`);
      const [dlqId] = only(t(stage), "AWS::SQS::Queue", `Queues${name}DeadLetterQueue`);
      expect(queue.Properties?.RedrivePolicy).toEqual({
        deadLetterTargetArn: arnOf(dlqId),
        maxReceiveCount: MAX_RECEIVE_COUNT,
      });
      expect(queue.Properties?.VisibilityTimeout).toBeGreaterThanOrEqual(
        VISIBILITY_FACTOR * consumerTimeout[name],
      );
    }
    for (const dlq of [
      "QueuesLightDeadLetterQueue",
      "QueuesHeavyDeadLetterQueue",
      "QueuesTransferEventsDeadLetterQueue",
    ]) {
      const [dlqId] = only(t(stage), "AWS::SQS::Queue", dlq);
      t(stage).hasResourceProperties("AWS::CloudWatch::Alarm", {
        MetricName: "ApproximateNumberOfMessagesVisible",
        Dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": [dlqId, "QueueName"] } }],
        Threshold: 1,
        AlarmActions: [Match.anyValue()],
      });
    }
  });

  it("Functions: Node.js 24 on ARM64, traced, in the VPC, the documented environment; run-tasks reports partial batch failures", () => {
    const required = [
      "STEPMATICA_STAGE",
      "STATE_MACHINE_TRANSFER_ARN",
      "STATE_MACHINE_INGEST_ARN",
      "LIGHT_QUEUE_URL",
      "HEAVY_QUEUE_URL",
      "DB_CLUSTER_ARN",
      "DB_SECRET_ARN",
      "DB_NAME",
      "REDIS_URL",
      "REDIS_CLUSTER",
      "TRANSFER_BUCKET",
      "AIP_BUCKET",
      "DIP_BUCKET",
      "WORK_ROOT",
      "TRANSFER_PREFIX",
      "MAX_TRANSFER_BYTES",
      "DEFAULT_CONFIG",
      "POWERTOOLS_SERVICE_NAME",
      "POWERTOOLS_METRICS_NAMESPACE",
    ];
    for (const [id, fn] of stepmaticaFunctions(stage)) {
      expect(fn.Properties, id).toMatchObject({
        Runtime: "nodejs24.x",
        Architectures: ["arm64"],
        TracingConfig: { Mode: "Active" },
        VpcConfig: { SubnetIds: expect.any(Array), SecurityGroupIds: expect.any(Array) },
      });
      const vars = prop<{ Variables: Record<string, unknown> }>(fn, "Environment").Variables;
      expect(Object.keys(vars), id).toEqual(expect.arrayContaining(required));
      expect(vars.STEPMATICA_STAGE).toBe(stage);
    }
    const [lightId] = only(t(stage), "AWS::SQS::Queue", "QueuesLightQueue");
    const [runTasksId] = only(t(stage), "AWS::Lambda::Function", "FunctionsRunTasksFunction");
    t(stage).hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      EventSourceArn: arnOf(lightId),
      FunctionName: ref(runTasksId),
      FunctionResponseTypes: ["ReportBatchItemFailures"],
    });
  });

  it("Api: every dashboard route passes Cognito's JWT authorizer; access logged; MFA required", () => {
    const [apiFnId] = only(t(stage), "AWS::Lambda::Function", "FunctionsApiFunction");
    const [poolId, pool] = only(t(stage), "AWS::Cognito::UserPool", "ApiUsers");
    expect(pool.Properties?.MfaConfiguration).toBe("ON");
    expect(pool.Properties?.AdminCreateUserConfig).toMatchObject({ AllowAdminCreateUserOnly: true });
    const [authorizerId, authorizer] = only(t(stage), "AWS::ApiGatewayV2::Authorizer", "ApiHttpApiCognito");
    expect(authorizer.Properties?.AuthorizerType).toBe("JWT");
    expect(JSON.stringify(authorizer.Properties?.JwtConfiguration)).toContain(`{"Ref":"${poolId}"}`);
    const routes = Object.values(resourcesOf(t(stage), "AWS::ApiGatewayV2::Route"));
    expect(routes.length).toBeGreaterThan(0);
    for (const route of routes) {
      expect(route.Properties).toMatchObject({ AuthorizationType: "JWT", AuthorizerId: ref(authorizerId) });
    }
    const integrations = Object.values(resourcesOf(t(stage), "AWS::ApiGatewayV2::Integration"));
    expect(integrations.map((i) => i.Properties?.IntegrationUri)).toEqual([arnOf(apiFnId)]);
    t(stage).hasResourceProperties("AWS::ApiGatewayV2::Stage", {
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
    // Presigned uploads: put under the transfer prefix only.
    const puts = grantsOf(t(stage), "FunctionsApiFunctionServiceRole", "s3:PutObject");
    expect(JSON.stringify(puts.map(resourcesOfStatement))).toContain('/transfers/*"');
  });

  it("Workers: an ECS service on EC2 capacity (ASG capacity provider), scaled on heavy-queue depth", () => {
    const [cpId, cp] = only(t(stage), "AWS::ECS::CapacityProvider", "WorkersCapacityProvider");
    const [, service] = only(t(stage), "AWS::ECS::Service", "WorkersService");
    expect(service.Properties?.CapacityProviderStrategy).toEqual([
      { CapacityProvider: ref(cpId), Weight: 1 },
    ]);
    expect(service.Properties?.LaunchType).toBeUndefined();
    expect(cp.Properties?.AutoScalingGroupProvider).toMatchObject({
      ManagedTerminationProtection: stage === "production" ? "ENABLED" : "DISABLED",
      ManagedDraining: "ENABLED",
    });
    t(stage).hasResourceProperties("AWS::ECS::TaskDefinition", {
      RequiresCompatibilities: ["EC2"],
      NetworkMode: "awsvpc",
    });
    t(stage).hasResourceProperties("AWS::EC2::LaunchTemplate", {
      LaunchTemplateData: Match.objectLike({ InstanceType: synth.stacks[stage].config.workers.instanceType }),
    });
    const [heavyId] = only(t(stage), "AWS::SQS::Queue", "QueuesHeavyQueue");
    t(stage).hasResourceProperties("AWS::CloudWatch::Alarm", {
      MetricName: "ApproximateNumberOfMessagesVisible",
      Dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": [heavyId, "QueueName"] } }],
      AlarmActions: [
        Match.objectLike({ Ref: Match.stringLikeRegexp("^WorkersServiceTaskCountTargetHeavyQueueDepth") }),
      ],
    });
    // Task scale-in protection: the worker may protect its own tasks in this cluster only.
    const protect = grantsOf(t(stage), "WorkersTaskDefinitionTaskRole", "ecs:UpdateTaskProtection");
    expect(JSON.stringify(protect.map(resourcesOfStatement))).toMatch(/task\/.*WorkersCluster/);
  });

  it("Pipeline: the compiler's state machines, logged and traced, job states with timeouts and heartbeats", () => {
    const [dispatchId] = only(t(stage), "AWS::Lambda::Function", "FunctionsDispatchJobFunction");
    for (const name of ["Transfer", "Ingest"]) {
      const [, machine] = only(t(stage), "AWS::StepFunctions::StateMachine", `Pipeline${name}`);
      expect(machine.Properties).toMatchObject({
        StateMachineName: `stepmatica-${stage}-${name.toLowerCase()}`,
        TracingConfiguration: { Enabled: true },
        LoggingConfiguration: { Level: "ALL" },
        DefinitionSubstitutions: expect.objectContaining({ DispatchJobFunctionArn: arnOf(dispatchId) }),
      });
      const definition = JSON.parse(machine.Properties?.DefinitionString as string) as {
        States: Record<string, Record<string, unknown>>;
      };
      const jobs = Object.values(definition.States).filter(
        (s) => s.Resource === "arn:aws:states:::lambda:invoke.waitForTaskToken",
      );
      expect(jobs.length).toBeGreaterThan(2);
      for (const job of jobs) {
        expect(job.TimeoutSeconds).toBeGreaterThan(0);
        expect(job.HeartbeatSeconds).toBeGreaterThan(0);
      }
      // Each machine may invoke dispatch-job, by its exact ARN.
      const invoke = grantsOf(t(stage), `Pipeline${name}Role`, "lambda:InvokeFunction");
      expect(invoke.map(resourcesOfStatement)).toEqual([[arnOf(dispatchId)]]);
    }
    const [ingestId] = only(t(stage), "AWS::StepFunctions::StateMachine", "PipelineIngest");
    const start = grantsOf(t(stage), "PipelineTransferRole", "states:StartExecution");
    expect(start.map(resourcesOfStatement)).toEqual([[ref(ingestId)]]);
  });

  it("IAM: statements name their resources; '*' only for actions that have no resource-level permissions", () => {
    // Actions AWS does not scope to resources (X-Ray, log delivery, ECR auth, the ECS agent's polling).
    const unscoped = new Set([
      "xray:PutTraceSegments",
      "xray:PutTelemetryRecords",
      "xray:GetSamplingRules",
      "xray:GetSamplingTargets",
      "logs:CreateLogDelivery",
      "logs:GetLogDelivery",
      "logs:UpdateLogDelivery",
      "logs:DeleteLogDelivery",
      "logs:ListLogDeliveries",
      "logs:PutResourcePolicy",
      "logs:DescribeResourcePolicies",
      "logs:DescribeLogGroups",
      "ecr:GetAuthorizationToken",
      "ecs:DiscoverPollEndpoint",
      "ecs:Poll",
      "ecs:StartTelemetrySession",
    ]);
    // aws-cdk-lib's ECS host defaults: the agent's own log streams.
    const hostOnly = new Set(["logs:CreateLogStream", "logs:PutLogEvents"]);
    for (const [id, policy] of Object.entries(resourcesOf(t(stage), "AWS::IAM::Policy"))) {
      const statements = prop<{ Statement: Statement[] }>(policy, "PolicyDocument").Statement;
      for (const s of statements) {
        if (!resourcesOfStatement(s).includes("*")) continue;
        for (const action of actionsOf(s)) {
          const allowed =
            unscoped.has(action) || (id.startsWith("WorkersHostsInstanceRole") && hostOnly.has(action));
          expect(allowed, `${id}: ${action} on "*"`).toBe(true);
        }
      }
    }
    const transferSmName = `stepmatica-${stage}-transfer`;
    const startTransfer = grantsOf(
      t(stage),
      "FunctionsStartTransferFunctionServiceRole",
      "states:StartExecution",
    );
    expect(JSON.stringify(startTransfer.map(resourcesOfStatement))).toContain(
      `stateMachine:${transferSmName}`,
    );
    for (const role of [
      "FunctionsDispatchJobFunctionServiceRole",
      "FunctionsRunTasksFunctionServiceRole",
      "WorkersTaskDefinitionTaskRole",
    ]) {
      const responses = grantsOf(t(stage), role, "states:SendTaskSuccess");
      expect(responses, role).toHaveLength(1);
      const resources = JSON.stringify(responses[0]!.Resource);
      expect(resources).toContain(`stateMachine:stepmatica-${stage}-transfer"`);
      expect(resources).toContain(`stateMachine:stepmatica-${stage}-ingest"`);
    }
    // No role may delete AIPs.
    for (const role of [
      "FunctionsRunTasksFunctionServiceRole",
      "WorkersTaskDefinitionTaskRole",
      "FunctionsApiFunctionServiceRole",
    ]) {
      expect(
        statementsOfRole(t(stage), role)
          .flatMap(actionsOf)
          .filter((a) => a.startsWith("s3:Delete")),
        role,
      ).toEqual([]);
    }
  });

  it("Observability: failed-execution and no-progress alarms to an encrypted topic; a dashboard of the pipeline", () => {
    const [topicId, topic] = only(t(stage), "AWS::SNS::Topic", "ObservabilityAlarmTopic");
    expect(topic.Properties?.KmsMasterKeyId).toBeDefined();
    for (const machine of ["PipelineTransfer", "PipelineIngest"]) {
      const [machineId] = only(t(stage), "AWS::StepFunctions::StateMachine", machine);
      t(stage).hasResourceProperties("AWS::CloudWatch::Alarm", {
        MetricName: "ExecutionsFailed",
        Dimensions: [{ Name: "StateMachineArn", Value: ref(machineId) }],
        AlarmActions: [ref(topicId)],
      });
    }
    t(stage).hasResourceProperties("AWS::CloudWatch::Alarm", {
      Metrics: Match.arrayWith([Match.objectLike({ Expression: Match.stringLikeRegexp("IF\\(") })]),
      EvaluationPeriods: 6,
      AlarmActions: [ref(topicId)],
    });
    const [, dashboard] = only(t(stage), "AWS::CloudWatch::Dashboard", "ObservabilityDashboard");
    const body = JSON.stringify(dashboard.Properties?.DashboardBody);
    for (const title of [
      "Transfers started / completed / failed",
      "Tasks per second",
      "Queue depth",
      "Dead-letter queue depth",
      "Job and task durations",
    ]) {
      expect(body).toContain(title);
    }
  });

  it("outputs name the buckets and the state machines", () => {
    const outputs = Object.keys(t(stage).findOutputs("*"));
    expect(outputs).toEqual(
      expect.arrayContaining([
        "TransferBucketName",
        "AipBucketName",
        "DipBucketName",
        "TransferStateMachineArn",
        "ApiUrl",
      ]),
    );
  });
});

describe("production keeps its data; staging can be destroyed", () => {
  const stateful: Array<[string, string]> = [
    ["AWS::RDS::DBCluster", "DatabaseCluster"],
    ["AWS::ElastiCache::ServerlessCache", "Cache"],
    ["AWS::EFS::FileSystem", "WorkingStorageFileSystem"],
    ["AWS::S3::Bucket", "StorageAipBucket"],
    ["AWS::S3::Bucket", "StorageTransferBucket"],
    ["AWS::S3::Bucket", "StorageDipBucket"],
    ["AWS::Cognito::UserPool", "ApiUsers"],
  ];

  it("production: data stores retained, deletion-protected, multi-AZ, termination-protected stack", () => {
    for (const [type, id] of stateful)
      expect(only(t("production"), type, id)[1].DeletionPolicy, id).toBe("Retain");
    expect(
      only(t("production"), "AWS::RDS::DBCluster", "DatabaseCluster")[1].Properties?.DeletionProtection,
    ).toBe(true);
    expect(
      only(t("production"), "AWS::EFS::FileSystem", "WorkingStorageFileSystem")[1].Properties?.BackupPolicy,
    ).toEqual({ Status: "ENABLED" });
    expect(synth.stacks.production.terminationProtection).toBe(true);
    t("production").resourceCountIs("Custom::S3AutoDeleteObjects", 0);
  });

  it("staging: everything deletes cleanly (buckets emptied first)", () => {
    for (const [type, id] of stateful)
      expect(only(t("staging"), type, id)[1].DeletionPolicy, id).toBe("Delete");
    expect(
      only(t("staging"), "AWS::RDS::DBCluster", "DatabaseCluster")[1].Properties?.DeletionProtection,
    ).toBe(false);
    t("staging").resourceCountIs("Custom::S3AutoDeleteObjects", 4);
    expect(synth.stacks.staging.terminationProtection).toBe(false);
  });
});
