import { App, Stack, Validations } from "aws-cdk-lib";
import { Bucket } from "aws-cdk-lib/aws-s3";
import { AwsSolutionsChecks } from "cdk-nag";
import type { IConstruct } from "constructs";
import { beforeAll, describe, expect, it } from "vitest";
import { type Synthesized, sharedSynthesis } from "./synth.ts";

let synth: Synthesized;
beforeAll(async () => {
  synth = await sharedSynthesis();
});

interface Acknowledgement {
  path: string;
  id: string;
  reason: string;
}

function acknowledgements(root: IConstruct): Acknowledgement[] {
  const out: Acknowledgement[] = [];
  const visit = (node: IConstruct) => {
    for (const entry of node.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        out.push({ path: node.node.path, id, reason });
      }
    }
    for (const child of node.node.children) visit(child);
  };
  visit(root);
  return out;
}

describe("cdk-nag AwsSolutions", () => {
  it("reports no unacknowledged finding in either environment", () => {
    const report = new AwsSolutionsChecks().validateScope(synth.app);
    const findings = report.violations.flatMap((v) =>
      v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}: ${v.description}`),
    );
    expect(findings).toEqual([]);
  });

  it("every acknowledgement gives a reason and is narrow: on a resource, per finding for IAM rules", () => {
    const acks = acknowledgements(synth.app).filter((a) => a.id.includes("AwsSolutions-"));
    expect(acks.length).toBeGreaterThan(10);
    const stackPaths = new Set(Object.values(synth.stacks).map((s) => s.node.path));
    for (const ack of acks) {
      const where = `${ack.id} at ${ack.path}`;
      expect(ack.reason.trim().length, where).toBeGreaterThanOrEqual(40);
      expect(stackPaths.has(ack.path) || ack.path === "", `${where} is stack-wide`).toBe(false);
      // IAM findings are acknowledged one finding at a time (appliesTo), never the whole rule.
      if (/AwsSolutions-IAM[45]/.test(ack.id))
        expect(ack.id, where).toMatch(/AwsSolutions-IAM[45]\[(Policy|Resource|Action)::.+\]$/);
    }
  });

  it("catches a violation when there is one (negative control)", () => {
    const app = new App();
    const stack = new Stack(app, "Control");
    new Bucket(stack, "Unlogged");
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations.map((v) => v.ruleName)).toEqual(
      expect.arrayContaining(["AwsSolutions-S1", "AwsSolutions-S10"]),
    );
  });
});
