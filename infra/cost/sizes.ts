import type { StageConfig } from "../config/index.ts";
import { ec2Instance } from "./prices.ts";
import { type CfnResource, ofType, props, type Resources, targetId } from "./template.ts";

/** What the per-file model needs to know about a deployment, read from its synthesized template. */
export interface DeployedSizes {
  /** MemorySize of the dispatch-job and run-tasks functions (MB). */
  lambdaMemoryMb: number;
  lightBatchSize: number;
  workerInstanceType: string;
  /** vCPUs one heavy task reserves (task definition Cpu / 1024). */
  workerTaskVcpus: number;
  workerMinHosts: number;
  auroraMinAcu: number;
  /** How traffic to AWS APIs leaves the VPC: NAT gateway ($/GB), NAT instance (free), interface endpoints. */
  apiEgress: "nat-gateway" | "nat-instance" | "interface-endpoints";
  stateMachineLogLevel: string;
  stateMachineExecutionData: boolean;
  functionLogLevel: string;
  tracing: boolean;
  logRetentionDays: number;
  aipReplication: boolean;
}

const STEPMATICA_FUNCTION = /^Functions(DispatchJob|RunTasks)Function/;

function one(resources: Resources, type: string, idPattern?: RegExp): [string, CfnResource] {
  const found = ofType(resources, type).filter(([id]) => !idPattern || idPattern.test(id));
  if (found.length === 0) throw new Error(`the template has no ${type}${idPattern ? ` ${idPattern}` : ""}`);
  return found[0]!;
}

export function sizesFromTemplate(resources: Resources): DeployedSizes {
  const functions = ofType(resources, "AWS::Lambda::Function").filter(([id]) => STEPMATICA_FUNCTION.test(id));
  if (functions.length !== 2) throw new Error("expected the dispatch-job and run-tasks functions");
  const memory = Math.max(...functions.map(([, f]) => Number(props(f).MemorySize)));
  const logging = props(functions[0]![1]).LoggingConfig as { ApplicationLogLevel?: string } | undefined;
  const tracing = props(functions[0]![1]).TracingConfig as { Mode?: string } | undefined;
  const [, mapping] = one(resources, "AWS::Lambda::EventSourceMapping");
  const [, asg] = one(resources, "AWS::AutoScaling::AutoScalingGroup");
  const launchTemplate = props(
    resources[targetId((props(asg).LaunchTemplate as { LaunchTemplateId: unknown }).LaunchTemplateId) ?? ""],
  ).LaunchTemplateData as { InstanceType: string };
  const [, taskDefinition] = one(resources, "AWS::ECS::TaskDefinition");
  const containers = props(taskDefinition).ContainerDefinitions as Array<{ Cpu?: number }>;
  const [, cluster] = one(resources, "AWS::RDS::DBCluster");
  const [, machine] = one(resources, "AWS::StepFunctions::StateMachine");
  const machineLogs = props(machine).LoggingConfiguration as {
    Level?: string;
    IncludeExecutionData?: boolean;
  };
  const [, logGroup] = one(resources, "AWS::Logs::LogGroup", /^Functions/);
  const interfaceEndpoints = ofType(resources, "AWS::EC2::VPCEndpoint").some(
    ([, e]) => props(e).VpcEndpointType === "Interface",
  );
  const natGateways = ofType(resources, "AWS::EC2::NatGateway").length;
  const aipBuckets = ofType(resources, "AWS::S3::Bucket").filter(([id]) => id.startsWith("StorageAipBucket"));
  ec2Instance(launchTemplate.InstanceType); // an unpriced worker type fails here, not in the middle of a sum
  return {
    lambdaMemoryMb: memory,
    lightBatchSize: Number(props(mapping).BatchSize ?? 10),
    workerInstanceType: launchTemplate.InstanceType,
    workerTaskVcpus: Number(containers[0]?.Cpu ?? 1024) / 1024,
    workerMinHosts: Number(props(asg).MinSize ?? 0),
    auroraMinAcu: Number(
      (props(cluster).ServerlessV2ScalingConfiguration as { MinCapacity?: number } | undefined)
        ?.MinCapacity ?? 0,
    ),
    apiEgress: interfaceEndpoints ? "interface-endpoints" : natGateways > 0 ? "nat-gateway" : "nat-instance",
    stateMachineLogLevel: machineLogs?.Level ?? "OFF",
    stateMachineExecutionData: Boolean(machineLogs?.IncludeExecutionData),
    functionLogLevel: logging?.ApplicationLogLevel ?? "INFO",
    tracing: tracing?.Mode === "Active",
    logRetentionDays: Number(props(logGroup).RetentionInDays ?? 30),
    aipReplication: aipBuckets.some(([, b]) => props(b).ReplicationConfiguration !== undefined),
  };
}

/**
 * The same sizes from a stage's configuration, for the benchmark (which prices its runs without
 * synthesizing); test/infra/cost.test.ts checks it equals sizesFromTemplate for both stages.
 */
export function sizesFromConfig(config: StageConfig): DeployedSizes {
  const { network, operations } = config;
  return {
    lambdaMemoryMb: config.functions.memoryMb,
    lightBatchSize: config.functions.runTasksBatchSize,
    workerInstanceType: config.workers.instanceType,
    workerTaskVcpus: config.workers.taskCpu / 1024,
    workerMinHosts: config.workers.minInstances,
    auroraMinAcu: config.database.minCapacity,
    apiEgress: network.interfaceEndpoints
      ? "interface-endpoints"
      : network.natProvider === "instance"
        ? "nat-instance"
        : "nat-gateway",
    stateMachineLogLevel: operations.stateMachineLogLevel,
    stateMachineExecutionData: operations.stateMachineLogExecutionData,
    functionLogLevel: operations.functionLogLevel,
    tracing: operations.tracing,
    logRetentionDays: config.logRetentionDays,
    aipReplication: config.durability.aipReplicationBucketArn !== undefined,
  };
}
