import {
  describeIssues,
  STAGE_NAMES,
  type StageConfig,
  StageConfigSchema,
  type StageName,
} from "./schema.ts";
import { STAGES } from "./stages.ts";

export { STAGE_NAMES, type StageConfig, type StageName } from "./schema.ts";

export class StageConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StageConfigError";
  }
}

/** The `-c key=value` context keys the app reads (all optional). */
export const CONTEXT_KEYS = ["env", "account", "region", "alarmEmail"] as const;
export type ContextValues = Partial<Record<(typeof CONTEXT_KEYS)[number], unknown>>;

/** One stage's configuration with overrides applied, validated; a bad value is reported by its key. */
export function getStageConfig(stage: StageName, overrides: Partial<StageConfig> = {}): StageConfig {
  const parsed = StageConfigSchema.safeParse({ ...STAGES[stage], ...overrides });
  if (!parsed.success) {
    throw new StageConfigError(
      `stepmatica ${stage} configuration is invalid:\n${describeIssues(parsed.error)}`,
    );
  }
  return parsed.data;
}

/**
 * The stages this synthesis builds. Without `env` both (`cdk synth --all`); with `-c env=staging` only
 * that one, which is what `cdk deploy -c env=staging` deploys. `account`, `region` and `alarmEmail`
 * override the selected stage's values (account/region need `env`: they differ per environment).
 */
export function selectStages(context: ContextValues): StageConfig[] {
  const env = context.env;
  if (env !== undefined && !(STAGE_NAMES as readonly unknown[]).includes(env)) {
    throw new StageConfigError(
      `context "env" must be one of ${STAGE_NAMES.join(", ")} (got ${JSON.stringify(env)}): cdk deploy -c env=staging`,
    );
  }
  if (env === undefined && (context.account !== undefined || context.region !== undefined)) {
    throw new StageConfigError(
      'context "account"/"region" apply to one environment: add -c env=staging|production',
    );
  }
  const overrides: Partial<StageConfig> = {};
  for (const key of ["account", "region", "alarmEmail"] as const) {
    const value = context[key];
    if (value !== undefined) overrides[key] = String(value);
  }
  const names: StageName[] = env === undefined ? [...STAGE_NAMES] : [env as StageName];
  return names.map((name) => getStageConfig(name, overrides));
}
