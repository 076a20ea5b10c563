/**
 * Post-deploy smoke test: `npm run smoke -- --env staging [--stack NAME] [--region R] [--timeout SECONDS]`.
 * Reads the bucket names from the stack's outputs, uploads a small generated transfer, waits for its
 * AIP and checks it with the cloud-in-a-box test's checks. AWS credentials and region come from the
 * usual SDK sources (AWS_PROFILE, AWS_REGION, …). Last stdout line: a JSON result. Exit 0 passed,
 * 1 failed, 2 usage error.
 */
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { CloudFormationClient } from "@aws-sdk/client-cloudformation";
import { S3Client } from "@aws-sdk/client-s3";
import { SFNClient } from "@aws-sdk/client-sfn";
import { Command, CommanderError, InvalidArgumentError, Option } from "commander";
import { STAGES } from "../../infra/config/stages.ts";
import { readStackTargets, runSmoke } from "./smoke.ts";

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError("a whole number of seconds");
  return n;
}

export async function main(argv: string[]): Promise<number> {
  const program = new Command("smoke")
    .description("upload a generated transfer to a deployed environment and check its AIP")
    .addOption(new Option("--env <stage>", "environment").choices(Object.keys(STAGES)).makeOptionMandatory())
    .option("--stack <name>", "stack name (default: the environment's)")
    .option("--region <region>", "AWS region (default: the SDK's)")
    .option("--timeout <seconds>", "how long to wait for the AIP", seconds, 1200)
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text) });
  let opts: { env: keyof typeof STAGES; stack?: string; region?: string; timeout: number };
  try {
    program.parse(argv, { from: "user" });
    opts = program.opts();
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  if (STAGES[opts.env].removalPolicy === "retain") {
    // The smoke check leaves test AIPs behind: never in the retained, versioned archive of record.
    process.stderr.write(
      `smoke: ${opts.env} keeps its AIP bucket as the archive of record; the smoke check runs against staging only\n`,
    );
    return 2;
  }
  const stackName = opts.stack ?? STAGES[opts.env].stackName;
  const config = opts.region ? { region: opts.region } : {};
  const clients = { s3: new S3Client(config), sfn: new SFNClient(config) };
  const cloudFormation = new CloudFormationClient(config);
  const scratchDir = await mkdtemp(path.join(os.tmpdir(), "stepmatica-smoke-"));
  try {
    const targets = await readStackTargets(cloudFormation, stackName);
    const result = await runSmoke({
      clients,
      targets,
      scratchDir,
      timeoutMs: opts.timeout * 1000,
      log: (line) => process.stderr.write(`smoke: ${line}\n`),
    });
    for (const problem of result.problems) process.stderr.write(`smoke: ${problem}\n`);
    process.stdout.write(`${JSON.stringify({ stack: stackName, ...result })}\n`);
    return result.status === "passed" ? 0 : 1;
  } catch (error) {
    const reason = (error as Error).message ?? String(error);
    process.stderr.write(`smoke: ${reason}\n`);
    process.stdout.write(`${JSON.stringify({ stack: stackName, status: "failed", problems: [reason] })}\n`);
    return 1;
  } finally {
    cloudFormation.destroy();
    clients.s3.destroy();
    clients.sfn.destroy();
    await rm(scratchDir, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const code = await main(process.argv.slice(2));
  process.stdout.write("", () => process.exit(code));
}
