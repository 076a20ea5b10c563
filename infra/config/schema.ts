import { z } from "zod";
import { IdentityProviderSchema } from "./identity-provider-schema.ts";
import { AuditSchema, DurabilitySchema, NatProviderSchema, OperationsSchema } from "./operations-schema.ts";

/** The environments an archive deploys; each becomes one stack (see infra/README.md). */
export const STAGE_NAMES = ["staging", "production"] as const;
export type StageName = (typeof STAGE_NAMES)[number];

/** CloudWatch Logs accepts only these retention periods (days). */
const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const int = (min: number, max: number) => z.number().int().min(min).max(max);

/** Step Functions' and SQS's limits: visibility timeout <= 12 h, and it must be 6x the consumer timeout. */
const MAX_VISIBILITY_SECONDS = 43_200;
export const VISIBILITY_FACTOR = 6;

export const StageConfigSchema = z
  .object({
    stage: z.enum(STAGE_NAMES),
    /** The CloudFormation stack name; contains "Staging" or "Production". */
    stackName: z.string().regex(/^[A-Za-z][A-Za-z0-9-]{0,127}$/),
    /** Omitted: env-agnostic, deployed to the account and region of the CLI's credentials. */
    account: z
      .string()
      .regex(/^\d{12}$/, "an AWS account id is 12 digits")
      .optional(),
    region: z
      .string()
      .regex(/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/, "a region looks like eu-west-1")
      .optional(),
    /** "retain": data stores survive stack deletion and are deletion-protected; "destroy": a clean teardown. */
    removalPolicy: z.enum(["destroy", "retain"]),
    alarmEmail: z.email().optional(),
    logRetentionDays: z.number().refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
      message: `must be one of ${LOG_RETENTION_DAYS.join(", ")}`,
    }),
    network: z
      .object({
        maxAzs: int(2, 3),
        /** NAT gateways give the private subnets a way out (ClamAV updates, AWS APIs without endpoints). */
        natGateways: int(0, 3),
        /** Interface endpoints keep AWS API traffic inside the VPC. */
        interfaceEndpoints: z.boolean(),
        /** NAT gateways (the default) or NAT instances of natInstanceType (a few dollars a month). */
        natProvider: NatProviderSchema.optional(),
        natInstanceType: z
          .string()
          .regex(/^[a-z]+\d+g?[a-z]*\.[a-z0-9]+$/)
          .optional(),
        /** VPC flow logs: every flow, or only rejected ones. */
        flowLogs: z.enum(["ALL", "REJECT"]).optional(),
      })
      .refine((n) => n.natGateways > 0 || n.interfaceEndpoints, {
        message: "with natGateways = 0 the functions reach AWS only through interfaceEndpoints: set it true",
      }),
    storage: z.object({
      /** Days after which what is left under the transfer prefix (and incomplete uploads) expires. */
      transferLeftoverDays: int(1, 3650),
      /** Days a replaced or deleted AIP object version is kept. */
      aipNoncurrentVersionDays: int(1, 36500),
    }),
    database: z
      .object({
        /** Aurora capacity units; 0 lets the cluster pause when idle. */
        minCapacity: z.number().min(0).max(256).multipleOf(0.5),
        maxCapacity: z.number().min(1).max(256).multipleOf(0.5),
        /** Readers in other AZs (multi-AZ failover targets). */
        readers: int(0, 3),
        backupRetentionDays: int(1, 35),
      })
      .refine((d) => d.minCapacity <= d.maxCapacity, { message: "minCapacity must not exceed maxCapacity" }),
    cache: z.object({
      maxDataStorageGb: int(1, 5000),
      maxEcpuPerSecond: int(1000, 15_000_000),
      snapshotRetentionDays: int(0, 35),
    }),
    functions: z.object({
      memoryMb: int(128, 10_240),
      /** The run-tasks (light queue consumer) timeout; the light queue's visibility is 6x this. */
      runTasksTimeoutSeconds: int(30, 900),
      runTasksBatchSize: int(1, 10),
      runTasksMaxConcurrency: int(2, 1000),
    }),
    workers: z
      .object({
        /** An ARM64 (Graviton) instance type: the worker image is built for linux/arm64. */
        instanceType: z
          .string()
          .regex(/^[a-z]+\d+g[a-z]*\.[a-z0-9]+$/, "an ARM64 (Graviton) type, e.g. m7g.large"),
        minInstances: int(0, 100),
        maxInstances: int(1, 100),
        minTasks: int(0, 100),
        maxTasks: int(1, 200),
        taskCpu: int(256, 16_384),
        taskMemoryMb: int(512, 122_880),
        /** The longest a heavy task may run; the heavy queue's visibility is 6x this. */
        heavyTaskTimeoutSeconds: int(60, MAX_VISIBILITY_SECONDS / VISIBILITY_FACTOR),
        scratchVolumeGb: int(20, 16_384),
        /** ECS managed termination protection on the capacity provider. */
        instanceTerminationProtection: z.boolean(),
      })
      .refine((w) => w.minInstances <= w.maxInstances, {
        message: "minInstances must not exceed maxInstances",
      })
      .refine((w) => w.minTasks <= w.maxTasks, { message: "minTasks must not exceed maxTasks" }),
    dashboard: z.object({
      /** Where the dashboard page runs: Cognito's hosted sign-in returns there (OAuth code flow with PKCE). */
      callbackUrls: z.array(z.url()).min(1),
      /** Origins allowed to call the API from a browser (bearer tokens, no cookies). */
      corsOrigins: z.array(z.string().min(1)).min(1),
      /** Sign-in through the archive's own OIDC or SAML provider; omitted: local Cognito accounts only. */
      identityProvider: IdentityProviderSchema.optional(),
    }),
    pipeline: z.object({
      transferPrefix: z
        .string()
        .regex(/^[a-z0-9][a-z0-9-]*\/$/, 'a key prefix ending in "/", e.g. transfers/'),
      maxTransferBytes: z.number().int().positive(),
      defaultConfig: z.enum(["default", "automated"]),
    }),
    operations: OperationsSchema,
    audit: AuditSchema,
    durability: DurabilitySchema,
  })
  .strict();

export type StageConfig = z.infer<typeof StageConfigSchema>;

/** Formats zod issues as "key.path: message" lines, so a bad value names its key. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((issue) => `  ${issue.path.join(".") || "(root)"}: ${issue.message}`).join("\n");
}
