import type { StageConfig, StageName } from "./schema.ts";

/**
 * The per-environment values. Staging is small and disposable; production keeps its data, runs in
 * more AZs and keeps warm capacity. Every key is documented in infra/README.md.
 */
export const STAGES: Record<StageName, StageConfig> = {
  staging: {
    stage: "staging",
    stackName: "StepmaticaStaging",
    removalPolicy: "destroy",
    logRetentionDays: 14,
    // One NAT instance (t4g.nano) instead of a NAT gateway: $7 a month instead of $36 (see `npm run cost`).
    network: {
      maxAzs: 2,
      natGateways: 1,
      interfaceEndpoints: false,
      natProvider: "instance",
      natInstanceType: "t4g.nano",
      flowLogs: "REJECT",
    },
    storage: { transferLeftoverDays: 7, aipNoncurrentVersionDays: 30 },
    database: { minCapacity: 0, maxCapacity: 4, readers: 0, backupRetentionDays: 1 },
    cache: { maxDataStorageGb: 1, maxEcpuPerSecond: 5000, snapshotRetentionDays: 0 },
    functions: {
      memoryMb: 1024,
      runTasksTimeoutSeconds: 300,
      runTasksBatchSize: 5,
      runTasksMaxConcurrency: 10,
    },
    workers: {
      instanceType: "t4g.large",
      minInstances: 0,
      maxInstances: 2,
      minTasks: 0,
      maxTasks: 2,
      taskCpu: 1024,
      taskMemoryMb: 3072,
      heavyTaskTimeoutSeconds: 1800,
      scratchVolumeGb: 50,
      instanceTerminationProtection: false,
    },
    dashboard: { callbackUrls: ["http://localhost:8080/"], corsOrigins: ["http://localhost:8080"] },
    pipeline: { transferPrefix: "transfers/", maxTransferBytes: 10 * 1024 ** 3, defaultConfig: "default" },
    operations: {
      stateMachineLogLevel: "ALL",
      stateMachineLogExecutionData: false,
      functionLogLevel: "INFO",
      tracing: false,
      containerInsights: false,
    },
    audit: { everyHours: 24, aipsPerRun: 50, lambdaRehashMaxGiB: 10 },
    durability: { backupRetentionDays: 0, aipObjectLock: { mode: "off" } },
  },
  production: {
    stage: "production",
    stackName: "StepmaticaProduction",
    removalPolicy: "retain",
    logRetentionDays: 365,
    network: { maxAzs: 2, natGateways: 2, interfaceEndpoints: true, natProvider: "gateway", flowLogs: "ALL" },
    storage: { transferLeftoverDays: 30, aipNoncurrentVersionDays: 365 },
    database: { minCapacity: 0.5, maxCapacity: 16, readers: 1, backupRetentionDays: 14 },
    cache: { maxDataStorageGb: 5, maxEcpuPerSecond: 50_000, snapshotRetentionDays: 7 },
    functions: {
      memoryMb: 2048,
      runTasksTimeoutSeconds: 600,
      runTasksBatchSize: 5,
      runTasksMaxConcurrency: 50,
    },
    workers: {
      instanceType: "m7g.large",
      minInstances: 1,
      maxInstances: 8,
      minTasks: 1,
      maxTasks: 8,
      taskCpu: 2048,
      taskMemoryMb: 6144,
      heavyTaskTimeoutSeconds: 3600,
      scratchVolumeGb: 200,
      instanceTerminationProtection: true,
    },
    dashboard: { callbackUrls: ["http://localhost:8080/"], corsOrigins: ["http://localhost:8080"] },
    pipeline: { transferPrefix: "transfers/", maxTransferBytes: 100 * 1024 ** 3, defaultConfig: "default" },
    operations: {
      stateMachineLogLevel: "ALL",
      stateMachineLogExecutionData: false,
      functionLogLevel: "INFO",
      tracing: true,
      containerInsights: true,
    },
    audit: { everyHours: 24, aipsPerRun: 500, lambdaRehashMaxGiB: 10 },
    durability: {
      backupRetentionDays: 35,
      aipObjectLock: { mode: "governance", retentionDays: 3650 },
    },
  },
};
