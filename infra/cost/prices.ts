/**
 * The price table of `npm run cost`: AWS on-demand LIST prices for us-east-1 (no free tier, no
 * savings plans, no discounts), as known on PRICE_DATE from AWS's public pricing pages. They were not
 * re-read online for this table (the machine that wrote it cannot reach them): check them with the AWS
 * Pricing Calculator before quoting a budget. One table for the idle model and the per-file model.
 */
export const PRICE_DATE = "2026-12-03";
export const PRICE_REGION = "us-east-1";
export const HOURS_PER_MONTH = 730;

export const PRICES = {
  // Network
  natGatewayHour: 0.045,
  natGatewayGb: 0.045,
  publicIpv4Hour: 0.005,
  interfaceEndpointAzHour: 0.01,
  interfaceEndpointGb: 0.01,
  // Compute
  lambdaArmGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  ebsGp3GbMonth: 0.08,
  // Data stores
  auroraAcuHour: 0.12,
  auroraStorageGbMonth: 0.1,
  auroraIoRequest: 0.2 / 1e6,
  dataApiRequest: 0.35 / 1e6,
  valkeyServerlessGbHour: 0.084,
  /** ElastiCache Serverless for Valkey bills at least 100 MB of data. */
  valkeyServerlessMinGb: 0.1,
  valkeyEcpu: 0.0023 / 1e6,
  efsStandardGbMonth: 0.3,
  efsElasticReadGb: 0.03,
  efsElasticWriteGb: 0.06,
  s3StandardGbMonth: 0.023,
  /** PUT, COPY, POST and LIST requests. */
  s3PutOrList: 0.005 / 1000,
  s3Get: 0.0004 / 1000,
  s3ReplicationInterRegionGb: 0.02,
  backupWarmGbMonth: 0.05,
  auroraBackupGbMonth: 0.021,
  // Orchestration
  stepFunctionsTransition: 0.025 / 1000,
  sqsRequest: 0.4 / 1e6,
  // Management
  kmsKeyMonth: 1,
  secretMonth: 0.4,
  alarmMetricMonth: 0.1,
  dashboardMonth: 3,
  customMetricMonth: 0.3,
  logsIngestGb: 0.5,
  logsStorageGbMonth: 0.03,
  xrayTrace: 5 / 1e6,
} as const;

/** EC2 on-demand Linux $/hour and vCPUs of the instance types a stage may configure. */
export const EC2_INSTANCES: Record<string, { hour: number; vcpus: number }> = {
  "t4g.nano": { hour: 0.0042, vcpus: 2 },
  "t4g.micro": { hour: 0.0084, vcpus: 2 },
  "t4g.small": { hour: 0.0168, vcpus: 2 },
  "t4g.medium": { hour: 0.0336, vcpus: 2 },
  "t4g.large": { hour: 0.0672, vcpus: 2 },
  "t4g.xlarge": { hour: 0.1344, vcpus: 4 },
  "m7g.medium": { hour: 0.0408, vcpus: 1 },
  "m7g.large": { hour: 0.0816, vcpus: 2 },
  "m7g.xlarge": { hour: 0.1632, vcpus: 4 },
  "m7g.2xlarge": { hour: 0.3264, vcpus: 8 },
  "c7g.large": { hour: 0.0725, vcpus: 2 },
  "c7g.xlarge": { hour: 0.145, vcpus: 4 },
  "c7g.2xlarge": { hour: 0.29, vcpus: 8 },
  "r7g.large": { hour: 0.1071, vcpus: 2 },
};

export function ec2Instance(type: string): { hour: number; vcpus: number } {
  const found = EC2_INSTANCES[type];
  if (!found) throw new Error(`no price for EC2 instance type ${type}: add it to infra/cost/prices.ts`);
  return found;
}

/**
 * What the model assumes where the template and the benchmark's counts do not say. Each is a
 * judgement, written down so it can be argued with; infra/README.md repeats them.
 */
export const ASSUMPTIONS = {
  /** Aurora catalogue size of an idle deployment (GB). */
  auroraIdleStorageGb: 1,
  /** Aurora stays awake this long after the last statement before pausing (its auto-pause delay, s). */
  auroraAutoPauseSeconds: 300,
  /** Average ACUs while a transfer runs. */
  auroraActiveAcu: 1,
  /** Aurora I/O requests per Data API statement. */
  auroraIoPerStatement: 1,
  /** Lambda's SQS pollers at idle: 5 long polls of 20 s each, all the time. */
  sqsIdlePollers: 5,
  sqsLongPollSeconds: 20,
  /** A scheduled function run (the watchdog, the audit with nothing due) lasts this long. */
  scheduledRunSeconds: 0.5,
  /** Flow-log volume of an idle VPC per month (GB): every flow vs rejected flows only. */
  flowLogsIdleGbMonth: { ALL: 0.5, REJECT: 0.05 },
  /** Container Insights metrics of one cluster with one service (cluster- and service-level). */
  containerInsightsMetrics: 15,
  /** ECS managed scaling's target-tracking alarms per capacity provider. */
  capacityProviderAlarms: 2,
  /** What one AWS API call adds to a function's billed time (the local run makes them in-process). */
  latencySeconds: { dataApi: 0.02, sqs: 0.01, s3: 0.015 },
  /** Request + response bytes of one AWS API call through NAT or an interface endpoint. */
  apiCallBytes: 4096,
  /** EFS meters every access at least 4 KiB; a file is written twice (staging, bag) and read five times. */
  efsMeterBytes: 4096,
  efsWritesPerFile: 2,
  efsReadsPerFile: 5,
  /** Log bytes per task and per state transition at INFO/ALL (without execution data; with it, x5). */
  logBytesPerTask: 1024,
  logBytesPerTransition: 600,
  executionDataFactor: 5,
  /** Per GB processed: vCPU seconds of hashing, virus scanning and characterization of large files. */
  vcpuSecondsPerGb: 40,
  /** S3 multipart part size for large objects (bytes). */
  s3PartBytes: 8 * 1024 * 1024,
  /** A worker host started from zero stays up this long after the work (ECS managed scale-in, s). */
  workerHostLingerSeconds: 900,
} as const;
