import { z } from "zod";

/**
 * The stage settings of issue 18 ("operating it"): what an idle stage costs (logging, tracing,
 * Container Insights, egress), how stored AIPs are kept (backups, Object Lock, replication, the fixity
 * audit). Kept apart from
 * schema.ts so each concern's keys can be read in one place; every key is documented in infra/README.md.
 */

/** How the private subnets reach the internet (ClamAV updates, AWS APIs without an interface endpoint). */
export const NatProviderSchema = z.enum(["gateway", "instance"]);

export const OperationsSchema = z.object({
  /** Step Functions execution history in CloudWatch Logs. ALL with execution data is a debugging setting. */
  stateMachineLogLevel: z.enum(["ALL", "ERROR", "FATAL", "OFF"]),
  stateMachineLogExecutionData: z.boolean(),
  /** The functions' application log level (Powertools and console output below it is dropped by Lambda). */
  functionLogLevel: z.enum(["DEBUG", "INFO", "WARN", "ERROR"]),
  /** X-Ray tracing of the functions and state machines. */
  tracing: z.boolean(),
  /** ECS Container Insights on the worker cluster (per-metric charges even at idle). */
  containerInsights: z.boolean(),
});

export const AuditSchema = z.object({
  /** How often the fixity audit runs (EventBridge schedule), in hours. */
  everyHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 31),
  /** How many AIPs one run verifies at most: the oldest-verified first, so all are covered in turn. */
  aipsPerRun: z.number().int().min(1).max(100_000),
  /**
   * An AIP with more than this many GiB to re-read (objects without a checksum S3 keeps: multipart
   * uploads) is handed to the heavy queue, where a worker audits it without Lambda's 15 minutes.
   */
  lambdaRehashMaxGiB: z.number().min(0).max(40),
});

const ObjectLockSchema = z.discriminatedUnion("mode", [
  z.object({ mode: z.literal("off") }),
  z.object({
    /** GOVERNANCE: users with s3:BypassGovernanceRetention can still delete; COMPLIANCE: nobody can. */
    mode: z.enum(["governance", "compliance"]),
    retentionDays: z.number().int().min(1).max(36_500),
  }),
]);

export const DurabilitySchema = z.object({
  /** AWS Backup plan for Aurora and EFS (daily, kept this many days); 0 = no plan. */
  backupRetentionDays: z.number().int().min(0).max(36_500),
  /** Object Lock on the AIP bucket (only when the bucket is created: S3 cannot add it to old buckets here). */
  aipObjectLock: ObjectLockSchema,
  /** Replicate every AIP object to this bucket (another region or account): its ARN. */
  aipReplicationBucketArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:s3:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "an S3 bucket ARN, arn:aws:s3:::name")
    .optional(),
});
