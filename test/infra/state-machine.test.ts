import { rm } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOCAL_ARNS } from "../../functions/adapters/local/local-engine.ts";
import { followToEnd } from "../../functions/cli/follow.ts";
import { openRuntime } from "../../functions/cli/runtime.ts";
import { startTransfer } from "../../functions/core/start-transfer.ts";
import { type AslDefinition, SUBSTITUTIONS, substitute } from "../../workflows/compile.ts";
import { compiled, type WorkflowName } from "../../workflows/index.ts";
import { PRESETS, resolveConfig } from "../../workflows/processing-config.ts";
import { expectValidAip } from "../e2e/aip-checks.ts";
import { mixedTransfer, tempDir } from "../helpers/fixtures.ts";
import { type Synthesized, sharedSynthesis } from "./synth.ts";
import { only } from "./template-queries.ts";

let synth: Synthesized;
let root: string;
beforeAll(async () => {
  synth = await sharedSynthesis();
  root = await tempDir("infra-asl");
});
afterAll(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

const WORKFLOWS: WorkflowName[] = ["transfer", "ingest"];

/** A CloudFormation string: literal, or an Fn::Join of literals (anything else cannot be run locally). */
function literal(value: unknown, what: string): string {
  if (typeof value === "string") return value;
  const join = (value as { "Fn::Join"?: [string, unknown[]] })["Fn::Join"];
  if (join?.[1].every((part) => typeof part === "string")) return join[1].join(join[0]);
  throw new Error(`${what} is not a literal string: ${JSON.stringify(value).slice(0, 200)}`);
}

/**
 * The state machines as deployed: DefinitionString and DefinitionSubstitutions from the template,
 * with every substitution replaced by the local engine's ARN, as Step Functions would with the real ones.
 */
function deployedDefinitions(template: Template): Record<WorkflowName, AslDefinition> {
  const out = {} as Record<WorkflowName, AslDefinition>;
  for (const workflow of WORKFLOWS) {
    const [id, machine] = only(
      template,
      "AWS::StepFunctions::StateMachine",
      `Pipeline${workflow === "transfer" ? "Transfer" : "Ingest"}`,
    );
    const text = literal(machine.Properties?.DefinitionString, `${id}.DefinitionString`);
    const substitutions = (machine.Properties?.DefinitionSubstitutions ?? {}) as Record<string, unknown>;
    const placeholders = new Set([...text.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]!));
    expect([...placeholders].sort(), `${id}: every placeholder has a substitution`).toEqual(
      Object.keys(substitutions).sort(),
    );
    for (const key of placeholders) expect(SUBSTITUTIONS as readonly string[], key).toContain(key);
    const local = text.replace(
      /\$\{(\w+)\}/g,
      (_, key: string) => LOCAL_ARNS[key as keyof typeof LOCAL_ARNS],
    );
    out[workflow] = JSON.parse(local) as AslDefinition;
  }
  return out;
}

describe("the deployed state machines are the ones the local engine runs", () => {
  it("the template's substitutions point at dispatch-job and at the ingest machine by its real name", () => {
    const template = synth.templates.staging;
    const [dispatchId] = only(template, "AWS::Lambda::Function", "FunctionsDispatchJobFunction");
    const [, ingest] = only(template, "AWS::StepFunctions::StateMachine", "PipelineIngest");
    const [, transfer] = only(template, "AWS::StepFunctions::StateMachine", "PipelineTransfer");
    const subs = transfer.Properties?.DefinitionSubstitutions as Record<string, unknown>;
    expect(subs.DispatchJobFunctionArn).toEqual({ "Fn::GetAtt": [dispatchId, "Arn"] });
    expect(JSON.stringify(subs.IngestStateMachineArn)).toContain(
      `:stateMachine:${ingest.Properties?.StateMachineName}"`,
    );
  });

  it("the synthesized definitions are exactly the compiler's output", () => {
    const deployed = deployedDefinitions(synth.templates.production);
    for (const workflow of WORKFLOWS)
      expect(deployed[workflow]).toEqual(substitute(compiled(workflow), LOCAL_ARNS));
  });

  it("runs a transfer through the synthesized definition to a valid AIP", async () => {
    const definitions = deployedDefinitions(synth.templates.staging);
    const source = path.join(root, "deposit");
    const originals = await mixedTransfer(source);
    const out = path.join(root, "aips");
    const rt = await openRuntime({
      home: path.join(root, "home"),
      out,
      definitions,
      concurrency: { light: 4, heavy: 2 },
    });
    try {
      const started = await startTransfer(rt, {
        name: "deposit",
        source: pathToFileURL(source).href,
        config: resolveConfig(PRESETS.default, ["aip_compression=none"]),
      });
      const summary = await followToEnd(rt, started.unit.id);
      expect(summary, summary.reason ?? "").toMatchObject({
        status: "completed",
        reason: null,
        files: originals.length,
      });
      expect(path.dirname(summary.aip!)).toBe(out);
      await expectValidAip(summary.aip!, source, originals);
    } finally {
      await rt.close();
    }
  }, 120_000);
});
