import { Match } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { STAGE_NAMES } from "../../infra/config/index.ts";
import { VISIBILITY_FACTOR } from "../../infra/config/schema.ts";
import { migrationsHash } from "../../infra/constructs/database/index.ts";
import { MAX_RECEIVE_COUNT } from "../../infra/constructs/queues/interfaces.ts";
import { arnOf, ref, stepmaticaFunctions, useTemplates } from "./template-fixture.ts";
import {
  type CfnResource,
  grantsOf,
  only,
  prop,
  resourcesOf,
  resourcesOfStatement,
} from "./template-queries.ts";

const { synth, t } = useTemplates();

describe.each(STAGE_NAMES)("%s template: data stores and network", (stage) => {
  it("Storage: every bucket encrypted, private, TLS-only; AIPs versioned; transfer leftovers expire", () => {
    const buckets = resourcesOf(t(stage), "AWS::S3::Bucket");
    // transfers, AIPs, DIPs, access logs; the dashboard site and its CloudFront logs.
    expect(Object.keys(buckets)).toHaveLength(6);
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
    expect(policies).toHaveLength(6);
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
      // Staging's egress is one NAT instance (network.natProvider), not a NAT gateway: see npm run cost.
      expect(nats).toHaveLength(0);
      const instances = Object.values(resourcesOf(t(stage), "AWS::EC2::Instance"));
      expect(instances.map((i) => i.Properties?.InstanceType)).toEqual(["t4g.nano"]);
      expect(instances[0]!.Properties?.SourceDestCheck).toBe(false);
    }
    t(stage).resourceCountIs("AWS::EC2::FlowLog", 1);
  });

  it("Working storage: encrypted EFS with an access point mounted by every function and the worker task", () => {
    const [fsId, fs] = only(t(stage), "AWS::EFS::FileSystem", "WorkingStorageFileSystem");
    expect(fs.Properties?.Encrypted).toBe(true);
    const [apId] = only(t(stage), "AWS::EFS::AccessPoint", "WorkingStorageFileSystemWorkAccessPoint");
    const functions = stepmaticaFunctions(t(stage));
    expect(functions).toHaveLength(5);
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
    const env = JSON.stringify(stepmaticaFunctions(t(stage))[0]![1].Properties?.Environment);
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
      Heavy: synth().stacks[stage].config.workers.heavyTaskTimeoutSeconds,
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
    // EFS is backed up by the stage's AWS Backup plan (test/infra/operations.test.ts), not twice:
    // no automatic-backup policy on the file system.
    expect(
      only(t("production"), "AWS::EFS::FileSystem", "WorkingStorageFileSystem")[1].Properties?.BackupPolicy,
    ).toBeUndefined();
    t("production").resourceCountIs("AWS::Backup::BackupSelection", 1);
    expect(synth().stacks.production.terminationProtection).toBe(true);
    t("production").resourceCountIs("Custom::S3AutoDeleteObjects", 0);
  });

  it("production destroy: nothing retained refers to anything deleted (the kept stores stay usable)", () => {
    const resources = (t("production").toJSON() as { Resources: Record<string, CfnResource> }).Resources;
    const referencesOf = (value: unknown, out: Set<string>) => {
      if (Array.isArray(value)) for (const v of value) referencesOf(v, out);
      else if (value && typeof value === "object") {
        for (const [key, v] of Object.entries(value)) {
          if (key === "Ref" && typeof v === "string" && resources[v]) out.add(v);
          else if (key === "Fn::GetAtt" && Array.isArray(v) && resources[v[0]]) out.add(v[0]);
          else referencesOf(v, out);
        }
      }
      return out;
    };
    // A CORS origin names the dashboard's address as text: a dangling one breaks nothing.
    const harmless = new Set(["StorageTransferBucket -> ApiSiteDistribution"]);
    const retained = Object.keys(resources).filter((id) => resources[id]!.DeletionPolicy === "Retain");
    const problems: string[] = [];
    for (const id of retained) {
      const r = resources[id]!;
      const uses = referencesOf(r.Properties, new Set<string>());
      for (const d of [r.DependsOn ?? []].flat() as string[]) if (resources[d]) uses.add(d);
      for (const used of uses) {
        const pair = `${id.replace(/[0-9A-F]{8}$/, "")} -> ${used.replace(/[0-9A-F]{8}$/, "")}`;
        if (resources[used]!.DeletionPolicy !== "Retain" && !harmless.has(pair))
          problems.push(`${pair} (${resources[used]!.Type})`);
      }
    }
    expect(problems).toEqual([]);
    // What stays behind: the stores, what they stand on, and nothing that runs the pipeline.
    const kept = new Set(retained.map((id) => resources[id]!.Type));
    for (const type of [
      "AWS::RDS::DBCluster",
      "AWS::ElastiCache::ServerlessCache",
      "AWS::EFS::FileSystem",
      "AWS::EFS::MountTarget",
      "AWS::EC2::VPC",
      "AWS::EC2::Subnet",
      "AWS::SecretsManager::Secret",
      "AWS::Cognito::UserPool",
    ])
      expect(kept, type).toContain(type);
    for (const type of [
      "AWS::Lambda::Function",
      "AWS::StepFunctions::StateMachine",
      "AWS::SQS::Queue",
      "AWS::ECS::Service",
      "AWS::EC2::SecurityGroupIngress",
    ])
      expect(kept, type).not.toContain(type);
  });

  it("staging: everything deletes cleanly (buckets emptied first)", () => {
    for (const [type, id] of stateful)
      expect(only(t("staging"), type, id)[1].DeletionPolicy, id).toBe("Delete");
    expect(
      only(t("staging"), "AWS::RDS::DBCluster", "DatabaseCluster")[1].Properties?.DeletionProtection,
    ).toBe(false);
    t("staging").resourceCountIs("Custom::S3AutoDeleteObjects", 6);
    expect(synth().stacks.staging.terminationProtection).toBe(false);
  });
});
