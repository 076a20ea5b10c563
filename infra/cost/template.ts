import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { App } from "aws-cdk-lib";
import type { StageName } from "../config/index.ts";
import { REPO_ROOT } from "../constructs/common.ts";
import { addStepmaticaStacks } from "../stacks/stepmatica-app.ts";

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
}
export type Resources = Record<string, CfnResource>;
export interface CfnTemplate {
  Resources: Resources;
}

/**
 * Synthesizes one stage's stack as `cdk synth -c env=<stage>` does (cdk.json's context), without
 * bundling the functions or running cdk-nag: the cost model reads resources and their properties only.
 */
export function synthesizeStage(stage: StageName): CfnTemplate {
  const cdkJson = JSON.parse(readFileSync(path.join(REPO_ROOT, "cdk.json"), "utf8")) as {
    context?: Record<string, unknown>;
  };
  const outdir = mkdtempSync(path.join(tmpdir(), "stepmatica-cost-"));
  try {
    const app = new App({
      outdir,
      context: { ...cdkJson.context, env: stage, "aws:cdk:bundling-stacks": [] },
    });
    const [stack] = addStepmaticaStacks(app, { nag: false });
    if (!stack) throw new Error(`no stack for ${stage}`);
    return app.synth().getStackByName(stack.stackName).template as CfnTemplate;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

export const ofType = (resources: Resources, type: string): Array<[string, CfnResource]> =>
  Object.entries(resources).filter(([, r]) => r.Type === type);

/** A `{ Ref: id }` or `{ "Fn::GetAtt": [id, ...] }` pointer's logical id. */
export function targetId(pointer: unknown): string | undefined {
  if (!pointer || typeof pointer !== "object") return undefined;
  const p = pointer as { Ref?: string; "Fn::GetAtt"?: [string, string] };
  return p.Ref ?? p["Fn::GetAtt"]?.[0];
}

export function props(resource: CfnResource | undefined): Record<string, unknown> {
  return resource?.Properties ?? {};
}
