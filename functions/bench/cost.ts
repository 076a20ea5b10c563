import type { PipelineResult } from "./pipeline.ts";
import { round } from "./pipeline.ts";

/**
 * AWS list prices, us-east-1, on-demand, as published by AWS and recorded on 2026-11-23 (from the
 * pricing pages as last read; this machine cannot reach them to re-check). BENCHMARKS.md repeats them.
 */
export const PRICES = {
  stepFunctionsTransition: 0.025 / 1000,
  sqsRequest: 0.4 / 1e6,
  dataApiRequest: 0.35 / 1e6,
  lambdaRequest: 0.2 / 1e6,
  lambdaArmGbSecond: 0.0000133334,
  s3Put: 0.005 / 1000,
  s3Get: 0.0004 / 1000,
  /** c7g.large on-demand ($0.0725/h, 2 vCPU) per vCPU-second: the heavy workers' EC2 capacity. */
  ec2VcpuSecond: 0.0725 / 3600 / 2,
} as const;

/** Lambda sizes as the infrastructure deploys them. */
const LAMBDA_GB = 1;
/** What one dispatch-job invocation costs in time (a handful of Data API calls and one SQS batch). */
const DISPATCH_SECONDS = 0.2;

/** Dollars for one measured run, excluding storage, from the calls it made and the time its tasks took. */
export function costOf(run: PipelineResult, jobStates: number, bytes: number) {
  const c = run.calls;
  const lines = {
    step_functions: run.transitions * PRICES.stepFunctionsTransition,
    sqs: c.sqs * PRICES.sqsRequest,
    data_api: c.dataApi * PRICES.dataApiRequest,
    lambda:
      (jobStates + c.lightDeliveries) * PRICES.lambdaRequest +
      (jobStates * DISPATCH_SECONDS + run.task_seconds.light) * LAMBDA_GB * PRICES.lambdaArmGbSecond,
    s3: c.s3Put * PRICES.s3Put + c.s3Get * PRICES.s3Get,
    ec2_workers: run.task_seconds.heavy * PRICES.ec2VcpuSecond,
  };
  const total = Object.values(lines).reduce((a, b) => a + b, 0);
  return {
    usd_per_1000_files: round((total / run.files) * 1000, 5),
    usd_per_gb: round(total / (bytes / 1e9), 4),
    usd_breakdown_per_1000_files: Object.fromEntries(
      Object.entries(lines).map(([k, v]) => [k, round((v / run.files) * 1000, 6)]),
    ),
    counted: { ...c, transitions: run.transitions, job_states: jobStates },
  };
}
