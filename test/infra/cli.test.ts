import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "./synth.ts";

const run = promisify(execFile);
const outdirs: string[] = [];
afterAll(async () => {
  for (const dir of outdirs) await rm(dir, { recursive: true, force: true });
});

/** The environment of a fresh clone on a machine without AWS credentials or a region. */
function withoutAws(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("AWS_") && !k.startsWith("CDK_")),
  );
  return { ...env, AWS_EC2_METADATA_DISABLED: "true", CI: "true" };
}

describe("the pinned CDK CLI", () => {
  it("`cdk synth --all` synthesizes StepmaticaStaging and StepmaticaProduction offline, without AWS credentials", async () => {
    const out = await mkdtemp(path.join(tmpdir(), "stepmatica-cdk-cli-"));
    outdirs.push(out);
    // execFile rejects on a non-zero exit, with the CLI's output in the error.
    await run("npx", ["cdk", "synth", "--all", "--quiet", "--no-notices", "--output", out], {
      cwd: REPO_ROOT,
      env: withoutAws(),
      maxBuffer: 64 * 1024 * 1024,
      timeout: 170_000,
    });
    for (const name of ["StepmaticaStaging", "StepmaticaProduction"]) {
      const template = JSON.parse(await readFile(path.join(out, `${name}.template.json`), "utf8")) as {
        Resources: Record<string, { Type: string }>;
      };
      const types = Object.values(template.Resources).map((r) => r.Type);
      expect(types, name).toContain("AWS::StepFunctions::StateMachine");
      expect(types, name).toContain("AWS::ECS::Service");
    }
    // The delivery pipeline (staging -> smoke -> approval -> production) synthesizes with them, offline.
    const delivery = JSON.parse(
      await readFile(path.join(out, "StepmaticaDelivery.template.json"), "utf8"),
    ) as {
      Resources: Record<string, { Type: string }>;
    };
    expect(Object.values(delivery.Resources).map((r) => r.Type)).toContain("AWS::CodePipeline::Pipeline");
  }, 180_000);
});
