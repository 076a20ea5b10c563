import { createHash } from "node:crypto";
import path from "node:path";
import { CustomResource, Duration, Stack } from "aws-cdk-lib";
import { SecurityGroup } from "aws-cdk-lib/aws-ec2";
import { Architecture, type CfnFunction, Runtime } from "aws-cdk-lib/aws-lambda";
import { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup } from "aws-cdk-lib/aws-logs";
import {
  AuroraPostgresEngineVersion,
  ClusterInstance,
  Credentials,
  DatabaseCluster,
  DatabaseClusterEngine,
} from "aws-cdk-lib/aws-rds";
import { Provider } from "aws-cdk-lib/custom-resources";
import { Construct } from "constructs";
import { MIGRATIONS } from "../../../functions/core/store/migrations.ts";
import { acknowledge, dataRemovalPolicy, isRetained, REPO_ROOT } from "../common.ts";
import { bundlingOptions } from "../functions/bundling.ts";
import type { DatabaseProps } from "./interfaces.ts";

export const DATABASE_NAME = "stepmatica";

/**
 * Aurora Serverless v2 PostgreSQL with the Data API (the only way the code talks to it), credentials
 * in Secrets Manager, and a custom resource that applies the store's migrations at every deploy that
 * changes them: the same MIGRATIONS list the local store runs.
 */
export class Database extends Construct {
  readonly cluster: DatabaseCluster;
  readonly databaseName = DATABASE_NAME;
  /** The secret-rotation function's group: it needs the Secrets Manager endpoint and the database port. */
  readonly rotationSecurityGroup: SecurityGroup;

  constructor(scope: Construct, id: string, props: DatabaseProps) {
    super(scope, id);
    const { config } = props;
    const retained = isRetained(config);
    const clusterIdentifier = `stepmatica-${config.stage}`;
    // The PostgreSQL log group, created here with its retention (instead of a LogRetention function).
    const postgresLogs = new LogGroup(this, "PostgresLogs", {
      logGroupName: `/aws/rds/cluster/${clusterIdentifier}/postgresql`,
      retention: config.logRetentionDays,
      removalPolicy: dataRemovalPolicy(config),
    });
    this.cluster = new DatabaseCluster(this, "Cluster", {
      clusterIdentifier,
      engine: DatabaseClusterEngine.auroraPostgres({ version: AuroraPostgresEngineVersion.VER_16_13 }),
      credentials: Credentials.fromGeneratedSecret("stepmatica"),
      defaultDatabaseName: DATABASE_NAME,
      writer: ClusterInstance.serverlessV2("Writer"),
      readers: Array.from({ length: config.database.readers }, (_, i) =>
        ClusterInstance.serverlessV2(`Reader${i + 1}`, { scaleWithWriter: true }),
      ),
      serverlessV2MinCapacity: config.database.minCapacity,
      serverlessV2MaxCapacity: config.database.maxCapacity,
      enableDataApi: true,
      storageEncrypted: true,
      iamAuthentication: true,
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      backup: { retention: Duration.days(config.database.backupRetentionDays) },
      deletionProtection: retained,
      removalPolicy: dataRemovalPolicy(config),
      cloudwatchLogsExports: ["postgresql"],
      copyTagsToSnapshot: true,
    });
    this.cluster.node.addDependency(postgresLogs);
    this.rotationSecurityGroup = new SecurityGroup(this, "RotationSecurityGroup", {
      vpc: props.vpc,
      description: "stepmatica database secret rotation",
      allowAllOutbound: true,
    });
    this.cluster.addRotationSingleUser({
      automaticallyAfter: Duration.days(30),
      securityGroup: this.rotationSecurityGroup,
      vpcSubnets: props.subnets,
    });
    acknowledge(
      this.cluster,
      "AwsSolutions-RDS11",
      "The code reaches the cluster only through the RDS Data API and the security group admits no clients; a non-default port adds nothing.",
    );
    if (!retained) {
      acknowledge(
        this.cluster,
        "AwsSolutions-RDS10",
        "Staging is disposable by design (cdk destroy); production enables deletion protection.",
      );
    }
    this.applyMigrations(config.logRetentionDays);
  }

  private applyMigrations(logRetentionDays: number): void {
    const onEvent = new NodejsFunction(this, "MigrateFunction", {
      description: "Applies the stepmatica store migrations over the RDS Data API",
      entry: path.join(REPO_ROOT, "functions/handlers/migrate.ts"),
      projectRoot: REPO_ROOT,
      depsLockFilePath: path.join(REPO_ROOT, "package-lock.json"),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: 512,
      timeout: Duration.minutes(10),
      logGroup: new LogGroup(this, "MigrateLogs", { retention: logRetentionDays }),
      environment: {
        DB_CLUSTER_ARN: this.cluster.clusterArn,
        DB_SECRET_ARN: this.cluster.secret!.secretArn,
        DB_NAME: DATABASE_NAME,
      },
      bundling: bundlingOptions(),
    });
    this.cluster.grantDataApiAccess(onEvent);
    const provider = new Provider(this, "MigrateProvider", {
      onEventHandler: onEvent,
      logGroup: new LogGroup(this, "MigrateProviderLogs", { retention: logRetentionDays }),
    });
    const migrations = new CustomResource(this, "Migrations", {
      serviceToken: provider.serviceToken,
      resourceType: "Custom::StepmaticaMigrations",
      // A new or changed migration changes the hash, which makes CloudFormation send an Update.
      properties: { MigrationsHash: migrationsHash(), Database: DATABASE_NAME },
    });
    // The writer must be up before the Data API can run statements.
    migrations.node.addDependency(this.cluster);
    for (const scope of [onEvent, provider]) {
      acknowledge(
        scope,
        "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
        "The AWS basic execution policy only lets the function write its own log streams.",
      );
    }
    const onEventId = Stack.of(this).getLogicalId(onEvent.node.defaultChild as CfnFunction);
    acknowledge(
      provider,
      `AwsSolutions-IAM5[Resource::<${onEventId}.Arn>:*]`,
      "The Provider framework may invoke any version of the migrate function it owns; the wildcard is the version qualifier.",
    );
  }
}

/** A digest of the migration list: deploys re-run migrate() exactly when it changed. */
export function migrationsHash(): string {
  return createHash("sha256").update(JSON.stringify(MIGRATIONS)).digest("hex").slice(0, 16);
}
