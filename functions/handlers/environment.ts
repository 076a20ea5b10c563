import { z } from "zod";

const nonEmpty = z.string().trim().min(1);
const flag = z.enum(["true", "false"]).transform((value) => value === "true");

/**
 * The variables the infrastructure sets on every function and on the worker (infra/constructs/*).
 * Read once at cold start; a missing or malformed one stops the process with its name.
 */
export const EnvironmentSchema = z.object({
  STEPMATICA_STAGE: nonEmpty,
  STATE_MACHINE_TRANSFER_ARN: nonEmpty,
  STATE_MACHINE_INGEST_ARN: nonEmpty,
  LIGHT_QUEUE_URL: z.string().url(),
  HEAVY_QUEUE_URL: z.string().url(),
  DB_CLUSTER_ARN: nonEmpty,
  DB_SECRET_ARN: nonEmpty,
  DB_NAME: nonEmpty,
  REDIS_URL: z.string().regex(/^rediss?:\/\//, "must be a redis:// or rediss:// URL"),
  REDIS_CLUSTER: flag.default(false),
  TRANSFER_BUCKET: nonEmpty,
  AIP_BUCKET: nonEmpty,
  DIP_BUCKET: nonEmpty,
  WORK_ROOT: z.string().startsWith("/", "must be an absolute path"),
  TRANSFER_PREFIX: z
    .string()
    .default("transfers/")
    .refine(
      (p) => p === "" || (p.endsWith("/") && !p.startsWith("/")),
      "must end with / and not start with /",
    ),
  MAX_TRANSFER_BYTES: z.coerce.number().int().positive(),
  DEFAULT_CONFIG: z.enum(["default", "automated"]),
  POWERTOOLS_SERVICE_NAME: nonEmpty,
  POWERTOOLS_METRICS_NAMESPACE: nonEmpty,
});

export type AwsEnvironment = z.infer<typeof EnvironmentSchema>;

export class EnvironmentError extends Error {
  override name = "Stepmatica.EnvironmentError";
}

/** Parses the environment; throws one error naming every missing or malformed variable. */
export function readEnvironment(env: NodeJS.ProcessEnv): AwsEnvironment {
  const parsed = EnvironmentSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((issue) => {
    const name = String(issue.path[0] ?? "?");
    return env[name] === undefined ? `${name} is not set` : `${name}: ${issue.message}`;
  });
  throw new EnvironmentError(`stepmatica cannot start: ${problems.join("; ")}`);
}
