import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import { describe, expect, it } from "vitest";
import { DELIVERY_STAGES } from "../../infra/constructs/delivery/index.ts";
import { addDeliveryStack, DeliveryStack } from "../../infra/stacks/delivery-stack.ts";
import { cdkJsonContext } from "./synth.ts";
import { resourcesOf } from "./template-queries.ts";

function synthDelivery() {
  const app = new App({
    outdir: mkdtempSync(path.join(tmpdir(), "stepmatica-delivery-")),
    context: cdkJsonContext(),
  });
  const stack = addDeliveryStack(app)!;
  return { app, stack, template: Template.fromStack(stack) };
}

interface Stage {
  Name: string;
  Actions: Array<{
    ActionTypeId: { Category: string; Provider: string };
    Configuration?: Record<string, unknown>;
  }>;
}

describe("the delivery pipeline (cdk synth --all, offline)", () => {
  const { app, stack, template } = synthDelivery();
  const [, pipeline] = Object.entries(resourcesOf(template, "AWS::CodePipeline::Pipeline"))[0]!;
  const stages = pipeline.Properties!.Stages as Stage[];
  const projects = resourcesOf(template, "AWS::CodeBuild::Project");
  const commandsOf = (stage: Stage) => {
    const projectRef = (stage.Actions[0]!.Configuration!.ProjectName as { Ref: string }).Ref;
    return String((projects[projectRef]!.Properties!.Source as { BuildSpec: string }).BuildSpec);
  };

  it("runs staging -> smoke -> approval -> production, in that order", () => {
    expect(stages.map((s) => s.Name)).toEqual([...DELIVERY_STAGES]);
    const byName = Object.fromEntries(stages.map((s) => [s.Name, s]));
    expect(byName.Source!.Actions[0]!.ActionTypeId).toMatchObject({
      Category: "Source",
      Provider: "CodeStarSourceConnection",
    });
    expect(commandsOf(byName.DeployStaging!)).toContain("npx cdk deploy -c env=staging");
    expect(commandsOf(byName.SmokeStaging!)).toContain("npm run smoke -- --env staging");
    expect(byName.Approve!.Actions[0]!.ActionTypeId).toMatchObject({
      Category: "Approval",
      Provider: "Manual",
    });
    expect(commandsOf(byName.DeployProduction!)).toContain("npx cdk deploy -c env=production");
    for (const stage of stages.filter((s) => s.Name === "DeployStaging" || s.Name === "SmokeStaging"))
      expect(commandsOf(stage), stage.Name).not.toContain("env=production");
  });

  it("is its own stack, only without -c env=, and passes cdk-nag with reasoned acknowledgements", () => {
    expect(stack).toBeInstanceOf(DeliveryStack);
    const withEnv = new App({ context: { ...cdkJsonContext(), env: "staging" } });
    expect(addDeliveryStack(withEnv)).toBeUndefined();
    const report = new AwsSolutionsChecks().validateScope(app);
    const findings = report.violations.flatMap((v) =>
      v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}: ${v.description}`),
    );
    expect(findings).toEqual([]);
  });
});
