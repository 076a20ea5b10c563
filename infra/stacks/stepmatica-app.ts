import { type App, Aspects, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { StageDefaults } from "../aspects.ts";
import { CONTEXT_KEYS, type ContextValues, selectStages } from "../config/index.ts";
import { StepmaticaStack } from "./stepmatica-stack.ts";

export interface StepmaticaAppOptions {
  /** Run cdk-nag's AwsSolutions pack during synthesis (default true): a violation fails the synth. */
  readonly nag?: boolean;
}

/** Reads the `-c key=value` context the app understands. */
export function readContext(app: App): ContextValues {
  return Object.fromEntries(CONTEXT_KEYS.map((key) => [key, app.node.tryGetContext(key)]));
}

/**
 * Adds one stack per selected environment (both without `-c env=…`). Stacks are env-agnostic unless
 * an account/region is configured, and deploy into the credentials' account and region.
 */
export function addStepmaticaStacks(app: App, options: StepmaticaAppOptions = {}): StepmaticaStack[] {
  const stacks = selectStages(readContext(app)).map((config) => {
    const env =
      config.account || config.region ? { account: config.account, region: config.region } : undefined;
    const stack = new StepmaticaStack(app, config.stackName, {
      config,
      stackName: config.stackName,
      description: `stepmatica digital-preservation pipeline (${config.stage})`,
      terminationProtection: config.removalPolicy === "retain",
      ...(env ? { env } : {}),
    });
    Aspects.of(stack).add(new StageDefaults(config));
    return stack;
  });
  if (options.nag !== false) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stacks;
}
