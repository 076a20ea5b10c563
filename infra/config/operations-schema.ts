import { z } from "zod";

/**
 * The stage settings of issue 18 ("operating it"): what an idle stage costs (logging, tracing,
 * Container Insights, egress), how stored AIPs are kept (backups, Object Lock, replication, the fixity
 * audit) and who signs in (local accounts and/or the archive's own identity provider). Kept apart from
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

/** A group of the identity provider (its id or name as the token carries it) and the role it grants. */
const GroupMappingSchema = z.object({
  /** The value in the provider's groups claim (Entra ID: the group's object id). */
  providerGroup: z.string().min(1),
  role: z.enum(["reader", "operator"]),
});

const OidcProviderSchema = z.object({
  type: z.literal("oidc"),
  /** The provider's name on the sign-in page and in Cognito ("EntraID"). */
  name: z.string().regex(/^[A-Za-z0-9_-]{3,32}$/),
  /** Entra ID: https://login.microsoftonline.com/<tenant-id>/v2.0 */
  issuerUrl: z.url(),
  clientId: z.string().min(1),
  /** A Secrets Manager secret holding the client secret (its name); never the secret itself. */
  clientSecretName: z.string().min(1),
  /** The token claim that lists the user's groups (Entra ID: "groups"). */
  groupsClaim: z.string().min(1),
  groups: z.array(GroupMappingSchema).min(1),
});

const SamlProviderSchema = z.object({
  type: z.literal("saml"),
  name: z.string().regex(/^[A-Za-z0-9_-]{3,32}$/),
  /** Entra ID: https://login.microsoftonline.com/<tenant-id>/federationmetadata/2007-06/federationmetadata.xml?appid=<app-id> */
  metadataUrl: z.url(),
  /** The SAML attribute that lists the user's groups (Entra ID: http://schemas.microsoft.com/ws/2008/06/identity/claims/groups). */
  groupsClaim: z.string().min(1),
  groups: z.array(GroupMappingSchema).min(1),
});

export const SignInSchema = z
  .object({
    /** Cognito's own user accounts (admin-created, MFA). */
    localAccounts: z.boolean(),
    /** The archive's identity provider (OIDC or SAML), federated into the user pool. */
    provider: z.discriminatedUnion("type", [OidcProviderSchema, SamlProviderSchema]).optional(),
  })
  .refine((s) => s.localAccounts || s.provider !== undefined, {
    message: "with localAccounts = false a provider is needed, or nobody can sign in",
  });

export type SignInConfig = z.infer<typeof SignInSchema>;
export type IdentityProviderConfig = NonNullable<SignInConfig["provider"]>;
