import { round } from "./idle.ts";
import { ASSUMPTIONS, ec2Instance, PRICES } from "./prices.ts";
import type { DeployedSizes } from "./sizes.ts";
import type { WorkloadProfile } from "./workload.ts";

/** Log levels at which a task's and a transition's INFO lines are written. */
const WRITES_INFO = new Set(["DEBUG", "INFO", "TRACE"]);

/**
 * Dollars for one measured transfer at a deployment's sizes: every call the benchmark counted, priced
 * as the service bills it, plus what the counts imply (EFS I/O, logs, NAT or endpoint traffic, X-Ray,
 * ElastiCache requests, Aurora awake while it runs). Per-transfer costs (a worker host started from
 * zero, Aurora's auto-pause delay) are kept apart from per-file ones.
 */
export function processingCost(w: WorkloadProfile, s: DeployedSizes) {
  const gb = s.lambdaMemoryMb / 1024;
  const s3Requests = w.s3Put + w.s3Get + w.s3List;
  const latency =
    w.dataApi * ASSUMPTIONS.latencySeconds.dataApi +
    w.sqs * ASSUMPTIONS.latencySeconds.sqs +
    s3Requests * ASSUMPTIONS.latencySeconds.s3;
  // Upper bound: one invocation per light delivery (batches of lightBatchSize would need fewer).
  const invocations = w.jobStates + w.lightDeliveries;
  const lambdaSeconds = w.lightTaskSeconds + latency;
  const worker = ec2Instance(s.workerInstanceType);
  const vcpuSecond = worker.hour / 3600 / worker.vcpus;
  const apiCalls = w.dataApi + w.sqs + w.jobStates; // + one SendTaskSuccess per job
  const apiGb = (apiCalls * ASSUMPTIONS.apiCallBytes) / 1e9;
  const egressPerGb =
    s.apiEgress === "nat-gateway"
      ? PRICES.natGatewayGb
      : s.apiEgress === "interface-endpoints"
        ? PRICES.interfaceEndpointGb
        : 0;
  const efsMetered = (n: number) => (w.files * n * ASSUMPTIONS.efsMeterBytes) / 1e9;
  const tasks = w.lightDeliveries + w.heavyDeliveries;
  const taskLogGb = WRITES_INFO.has(s.functionLogLevel) ? (tasks * ASSUMPTIONS.logBytesPerTask) / 1e9 : 0;
  const transitionLogGb =
    s.stateMachineLogLevel === "ALL"
      ? (w.transitions *
          ASSUMPTIONS.logBytesPerTransition *
          (s.stateMachineExecutionData ? ASSUMPTIONS.executionDataFactor : 1)) /
        1e9
      : 0;
  const logGb = taskLogGb + transitionLogGb;
  const lines = {
    step_functions: w.transitions * PRICES.stepFunctionsTransition,
    sqs: w.sqs * PRICES.sqsRequest,
    data_api: w.dataApi * PRICES.dataApiRequest,
    aurora_io: w.dataApi * ASSUMPTIONS.auroraIoPerStatement * PRICES.auroraIoRequest,
    aurora_compute:
      Math.max(0, ASSUMPTIONS.auroraActiveAcu - s.auroraMinAcu) *
      (w.wallSeconds / 3600) *
      PRICES.auroraAcuHour,
    lambda: invocations * PRICES.lambdaRequest + lambdaSeconds * gb * PRICES.lambdaArmGbSecond,
    ec2_workers: w.heavyTaskSeconds * s.workerTaskVcpus * vcpuSecond,
    s3_requests: (w.s3Put + w.s3List) * PRICES.s3PutOrList + w.s3Get * PRICES.s3Get,
    efs_io:
      efsMetered(ASSUMPTIONS.efsWritesPerFile) * PRICES.efsElasticWriteGb +
      efsMetered(ASSUMPTIONS.efsReadsPerFile) * PRICES.efsElasticReadGb,
    cloudwatch_logs: logGb * (PRICES.logsIngestGb + PRICES.logsStorageGbMonth * (s.logRetentionDays / 30)),
    api_egress: apiGb * egressPerGb,
    xray: s.tracing ? (invocations + w.executions) * PRICES.xrayTrace : 0,
    elasticache_ecpu: tasks * 3 * PRICES.valkeyEcpu,
  };
  const total = Object.values(lines).reduce((a, b) => a + b, 0);
  const perTransfer = {
    aurora_auto_pause:
      s.auroraMinAcu === 0 ? (ASSUMPTIONS.auroraAutoPauseSeconds / 3600) * 0.5 * PRICES.auroraAcuHour : 0,
    worker_host_from_zero:
      s.workerMinHosts === 0 ? (ASSUMPTIONS.workerHostLingerSeconds / 3600) * worker.hour : 0,
  };
  return {
    usd_per_1000_files: round((total / w.files) * 1000, 5),
    usd_per_1000_files_by_item: Object.fromEntries(
      Object.entries(lines).map(([k, v]) => [k, round((v / w.files) * 1000, 6)]),
    ),
    usd_per_transfer: round(perTransfer.aurora_auto_pause + perTransfer.worker_host_from_zero, 4),
    usd_per_gb: round(perGb(s), 4),
    usd_per_gb_month_stored: PRICES.s3StandardGbMonth,
  };
}

/**
 * What each GB of content adds beyond the per-file costs: EFS bytes written and read, the CPU time
 * of hashing, scanning and characterizing it, S3 part uploads and re-reads, and replication if set.
 */
function perGb(s: DeployedSizes): number {
  const worker = ec2Instance(s.workerInstanceType);
  const parts = 1e9 / ASSUMPTIONS.s3PartBytes;
  return (
    ASSUMPTIONS.efsWritesPerFile * PRICES.efsElasticWriteGb +
    ASSUMPTIONS.efsReadsPerFile * PRICES.efsElasticReadGb +
    ASSUMPTIONS.vcpuSecondsPerGb * (worker.hour / 3600 / worker.vcpus) +
    parts * (PRICES.s3PutOrList + PRICES.s3Get) +
    (s.aipReplication ? PRICES.s3ReplicationInterRegionGb + parts * PRICES.s3PutOrList : 0)
  );
}
