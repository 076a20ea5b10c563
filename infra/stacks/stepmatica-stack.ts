import { CfnOutput, Stack, type StackProps, Tags } from "aws-cdk-lib";
import type { CfnFunction } from "aws-cdk-lib/aws-lambda";
import type { Construct } from "constructs";
import type { StageConfig } from "../config/index.ts";
import { Api } from "../constructs/api/index.ts";
import { Audit } from "../constructs/audit/index.ts";
import { Backup } from "../constructs/backup/index.ts";
import { Cache } from "../constructs/cache/index.ts";
import { isRetained } from "../constructs/common.ts";
import { Database } from "../constructs/database/index.ts";
import { Functions } from "../constructs/functions/index.ts";
import { Network } from "../constructs/network/index.ts";
import { Observability } from "../constructs/observability/index.ts";
import { Pipeline, stateMachineArn } from "../constructs/pipeline/index.ts";
import { Queues } from "../constructs/queues/index.ts";
import { Storage } from "../constructs/storage/index.ts";
import { Workers } from "../constructs/workers/index.ts";
import { WorkingStorage } from "../constructs/working-storage/index.ts";
import { DeploymentLimits } from "../limits.ts";
import { retainWithTheDataStores } from "../retention.ts";
import { runtimeEnvironment } from "./runtime-environment.ts";

export interface StepmaticaStackProps extends StackProps {
  readonly config: StageConfig;
}

/**
 * One environment of stepmatica in one stack: data stores, network, compute and pipeline. One stack
 * (not a stateful/stateless pair) on purpose — see infra/README.md, "Why one stack per environment".
 */
export class StepmaticaStack extends Stack {
  readonly config: StageConfig;
  readonly storage: Storage;
  readonly network: Network;
  readonly workingStorage: WorkingStorage;
  readonly database: Database;
  readonly cache: Cache;
  readonly queues: Queues;
  readonly functions: Functions;
  readonly workers: Workers;
  readonly pipeline: Pipeline;
  readonly api: Api;
  readonly observability: Observability;
  readonly audit: Audit;
  readonly backup?: Backup;

  constructor(scope: Construct, id: string, props: StepmaticaStackProps) {
    super(scope, id, props);
    const { config } = props;
    this.config = config;
    Tags.of(this).add("stepmatica:stage", config.stage);

    this.storage = new Storage(this, "Storage", { config });
    this.network = new Network(this, "Network", { config });
    const { vpc, privateSubnets: subnets, functionsSecurityGroup, workersSecurityGroup } = this.network;
    this.workingStorage = new WorkingStorage(this, "WorkingStorage", { config, vpc, subnets });
    this.database = new Database(this, "Database", { config, vpc, subnets });
    this.cache = new Cache(this, "Cache", { config, vpc, subnets });
    this.queues = new Queues(this, "Queues", { config });
    this.workingStorage.allowFrom(functionsSecurityGroup, workersSecurityGroup);
    this.cache.allowFrom(functionsSecurityGroup, workersSecurityGroup);
    this.network.allowEndpointsFrom(this.database.rotationSecurityGroup);

    const stateMachines = {
      transfer: stateMachineArn(this, config.stage, "transfer"),
      ingest: stateMachineArn(this, config.stage, "ingest"),
    };
    const environment = runtimeEnvironment(config, {
      transferStateMachineArn: stateMachines.transfer,
      ingestStateMachineArn: stateMachines.ingest,
      lightQueueUrl: this.queues.light.queueUrl,
      heavyQueueUrl: this.queues.heavy.queueUrl,
      dbClusterArn: this.database.cluster.clusterArn,
      dbSecretArn: this.database.cluster.secret!.secretArn,
      dbName: this.database.databaseName,
      redisUrl: this.cache.url,
      redisCluster: this.cache.clusterMode,
      transferBucket: this.storage.transferBucket.bucketName,
      aipBucket: this.storage.aipBucket.bucketName,
      dipBucket: this.storage.dipBucket.bucketName,
    });
    const shared = {
      config,
      vpc,
      subnets,
      accessPoint: this.workingStorage.accessPoint,
      storage: this.storage,
    };
    this.functions = new Functions(this, "Functions", {
      ...shared,
      securityGroup: functionsSecurityGroup,
      database: this.database,
      queues: this.queues,
      stateMachines,
      environment,
      eventsDeadLetterQueue: this.queues.eventsDeadLetter,
    });
    this.workers = new Workers(this, "Workers", {
      ...shared,
      securityGroup: workersSecurityGroup,
      hostsSecurityGroup: this.network.hostsSecurityGroup,
      fileSystem: this.workingStorage.fileSystem,
      database: this.database,
      queues: this.queues,
      stateMachines,
      environment,
    });
    this.api = new Api(this, "Api", {
      config,
      handler: this.functions.api,
      accessLogsBucket: this.storage.accessLogsBucket,
      uploadBucket: this.storage.transferBucket,
    });
    this.pipeline = new Pipeline(this, "Pipeline", { config, dispatchJob: this.functions.dispatchJob });
    this.observability = new Observability(this, "Observability", {
      config,
      transfer: this.pipeline.transfer,
      ingest: this.pipeline.ingest,
      queues: { light: this.queues.light, heavy: this.queues.heavy },
      deadLetterQueues: {
        LightTasks: this.queues.lightDeadLetter,
        HeavyTasks: this.queues.heavyDeadLetter,
        TransferEvents: this.queues.eventsDeadLetter,
      },
      criticalFunctions: {
        StartTransfer: this.functions.startTransfer,
        DispatchJob: this.functions.dispatchJob,
        Watchdog: this.functions.watchdog,
      },
      runTasks: this.functions.runTasks,
    });
    this.audit = new Audit(this, "Audit", {
      ...shared,
      securityGroup: functionsSecurityGroup,
      environment,
      database: this.database,
      aipBucket: this.storage.aipBucket,
      heavyQueue: this.queues.heavy,
      alarmTopic: this.observability.topic,
    });
    if (config.durability.backupRetentionDays > 0) {
      this.backup = new Backup(this, "Backup", {
        config,
        databaseClusterArn: this.database.cluster.clusterArn,
        fileSystem: this.workingStorage.fileSystem,
      });
    }
    this.node.addValidation(
      new DeploymentLimits({
        stateMachines: { transfer: this.pipeline.transfer, ingest: this.pipeline.ingest },
        runTasks: this.functions.runTasks,
        queues: {
          // The light queue's consumer is the run-tasks function (its deployed timeout); the heavy one the worker.
          light: {
            queue: this.queues.light,
            consumerTimeoutSeconds: () =>
              Number((this.functions.runTasks.node.defaultChild as CfnFunction).timeout),
          },
          heavy: {
            queue: this.queues.heavy,
            consumerTimeoutSeconds: () => config.workers.heavyTaskTimeoutSeconds,
          },
        },
      }),
    );
    // Last, so that everything added to the VPC and the stores' groups is covered.
    if (isRetained(config)) {
      retainWithTheDataStores([
        this.network.vpc,
        ...this.workingStorage.fileSystem.connections.securityGroups,
        this.workingStorage.fileSystem,
        this.database.cluster, // its instances, subnet group, security group and credentials secret
        this.cache.securityGroup,
      ]);
    }
    this.outputs();
  }

  /** Stack outputs: the post-deploy smoke test and the README read these names. */
  private outputs(): void {
    const out = (id: string, value: string, description: string) =>
      new CfnOutput(this, id, { value, description });
    out(
      "TransferBucketName",
      this.storage.transferBucket.bucketName,
      `Upload transfers here under ${this.config.pipeline.transferPrefix}`,
    );
    out("AipBucketName", this.storage.aipBucket.bucketName, "AIPs are stored here");
    out("DipBucketName", this.storage.dipBucket.bucketName, "DIPs are stored here");
    out("TransferPrefix", this.config.pipeline.transferPrefix, "Key prefix that starts a transfer");
    out("TransferStateMachineArn", this.pipeline.transfer.stateMachineArn, "Transfer workflow");
    out("IngestStateMachineArn", this.pipeline.ingest.stateMachineArn, "Ingest workflow");
    out("LightQueueUrl", this.queues.light.queueUrl, "Light task queue");
    out("HeavyQueueUrl", this.queues.heavy.queueUrl, "Heavy task queue");
    out("ApiUrl", this.api.url, "Dashboard API (Cognito JWT)");
    out("UserPoolId", this.api.userPool.userPoolId, "Dashboard users (add operators to the operators group)");
    out("UserPoolClientId", this.api.client.userPoolClientId, "Dashboard sign-in client");
    out("SignInDomain", this.api.domain.baseUrl(), "Cognito hosted sign-in");
    out("DashboardUrl", this.api.site.url, "The dashboard page (sign in with a user of the pool)");
    this.identityProviderOutputs();
    out("AlarmTopicArn", this.observability.topic.topicArn, "Alarm notifications");
    out("DashboardName", this.observability.dashboard.dashboardName, "CloudWatch dashboard");
    out("WorkerClusterName", this.workers.cluster.clusterName, "ECS cluster of the heavy-task workers");
  }

  /** What the provider-side set-up asks for (infra/README.md, "Sign-in with the archive's identity provider"). */
  private identityProviderOutputs(): void {
    const provider = this.config.dashboard.identityProvider;
    if (!provider) return;
    const saml = provider.protocol.type === "saml";
    new CfnOutput(this, "IdentityProviderRedirectUrl", {
      value: `${this.api.domain.baseUrl()}/${saml ? "saml2" : "oauth2"}/idpresponse`,
      description: saml
        ? "The provider's reply (Assertion Consumer Service) URL"
        : "The redirect URI to register with the provider",
    });
    if (saml) {
      new CfnOutput(this, "SamlEntityId", {
        value: `urn:amazon:cognito:sp:${this.api.userPool.userPoolId}`,
        description: "The identifier (entity ID) to register with the SAML provider",
      });
    }
  }
}
