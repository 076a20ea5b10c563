import { readFileSync, rmSync } from "node:fs";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import type { StageName } from "../../infra/config/index.ts";
import { addStepmaticaStacks } from "../../infra/stacks/stepmatica-app.ts";
import type { StepmaticaStack } from "../../infra/stacks/stepmatica-stack.ts";

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The feature flags and context of cdk.json, so in-process synthesis matches `cdk synth`. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(REPO_ROOT, "cdk.json"), "utf8")) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

export interface SynthOptions {
  /** Run esbuild for every function (slow-ish); off, the assets are not bundled. */
  bundling?: boolean;
  nag?: boolean;
  context?: Record<string, unknown>;
}

export interface Synthesized {
  app: App;
  outdir: string;
  stacks: Record<StageName, StepmaticaStack>;
  templates: Record<StageName, Template>;
}

/** Builds the app as bin/app.ts does (no extra context: both environments) and synthesizes it once. */
export async function synthesize(options: SynthOptions = {}): Promise<Synthesized> {
  const outdir = await mkdtemp(path.join(tmpdir(), "stepmatica-infra-"));
  const context: Record<string, unknown> = { ...cdkJsonContext(), ...options.context };
  if (!options.bundling) context["aws:cdk:bundling-stacks"] = [];
  const app = new App({ outdir, context });
  const list = addStepmaticaStacks(app, { nag: options.nag ?? false });
  app.synth();
  const stacks = Object.fromEntries(list.map((s) => [s.config.stage, s])) as Record<
    StageName,
    StepmaticaStack
  >;
  const templates = Object.fromEntries(list.map((s) => [s.config.stage, Template.fromStack(s)])) as Record<
    StageName,
    Template
  >;
  return { app, outdir, stacks, templates };
}

/** The logical id of a construct's CloudFormation resource within its stack. */
export function logicalId(stack: StepmaticaStack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as Parameters<StepmaticaStack["getLogicalId"]>[0]);
}

const SHARED = Symbol.for("stepmatica.test.sharedSynthesis");

/**
 * The default synthesis (both environments, no bundling, no cdk-nag), made once per test process
 * and shared by the infra test files that only read it. vitest runs test/infra without isolation
 * (vitest.config.ts), so one worker process goes through several of those files and synthesizes
 * once instead of once per file. The templates are frozen: a test that changed a shared template
 * would throw instead of changing what the next file sees.
 */
export function sharedSynthesis(): Promise<Synthesized> {
  const holder = globalThis as { [SHARED]?: Promise<Synthesized> };
  holder[SHARED] ??= synthesize().then((synthesized) => {
    for (const template of Object.values(synthesized.templates)) deepFreeze(template.toJSON());
    process.once("exit", () => rmSync(synthesized.outdir, { recursive: true, force: true }));
    return synthesized;
  });
  return holder[SHARED];
}

function deepFreeze(value: unknown): void {
  if (typeof value !== "object" || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
}
