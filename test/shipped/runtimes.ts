/**
 * Running the assets aws-cdk-lib writes itself (custom-resource providers, BucketDeployment): they
 * rely on what Lambda's runtimes provide (the AWS SDK for JavaScript v3 in Node.js, boto3 in Python),
 * so each runs in a child process of its runtime from its empty folder with only that on the module
 * path, and its layers mounted at /opt (lambda_python_runtime.py).
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdir, mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { sevenZipPath } from "../../functions/archives/seven-zip.ts";
import { REPO_ROOT } from "../infra/synth.ts";

/** The runtime's SDK: the AWS SDK v3 packages, found through NODE_PATH as in /var/runtime/node_modules. */
const NODE_RUNTIME_SDK = path.join(REPO_ROOT, "node_modules");
const PYTHON_RUNTIME = fileURLToPath(new URL("./lambda_python_runtime.py", import.meta.url));

export interface RuntimeRun {
  code: number;
  output: string;
  errors: string;
}

async function run(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; input?: string },
): Promise<RuntimeRun> {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ["pipe", "pipe", "pipe"] });
  child.stdin!.end(options.input ?? "");
  let output = "";
  let errors = "";
  child.stdout!.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr!.on("data", (chunk) => {
    errors += chunk;
  });
  const [code] = (await once(child, "exit")) as [number];
  return { code, output, errors };
}

/** A layer's zip extracted as Lambda does it into /opt (7-Zip keeps the entries' Unix modes). */
export async function extractLayer(zipFile: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "stepmatica-layer-"));
  const opt = path.join(dir, "opt");
  await mkdir(opt);
  const result = await run(await sevenZipPath(), ["x", "-bd", "-y", `-o${opt}`, zipFile], {
    cwd: dir,
    env: { PATH: process.env.PATH },
  });
  if (result.code !== 0)
    throw new Error(`extracting the layer ${zipFile} failed: ${result.errors || result.output}`);
  return opt;
}

/**
 * One invocation of `<file>.<export>` in a fresh process of its runtime, from `dir`, with `event` and
 * a Lambda context, the given environment only (plus PATH), and the layer (see extractLayer) at /opt
 * (its scratch folder goes beside the layer's, removed with it).
 */
export async function invokeInRuntime(
  runtime: string,
  dir: string,
  handler: string,
  event: unknown,
  options: { env: Record<string, string>; layer?: string },
): Promise<RuntimeRun> {
  const input = JSON.stringify(event);
  const env = { PATH: process.env.PATH, ...options.env };
  if (runtime.startsWith("nodejs")) {
    if (options.layer) throw new Error("layers for the Node.js runtime are not supported here");
    const dot = handler.lastIndexOf(".");
    const [file, name] = [handler.slice(0, dot), handler.slice(dot + 1)];
    const script = `
      const chunks = [];
      process.stdin.on("data", (c) => chunks.push(c)).on("end", async () => {
        const event = JSON.parse(Buffer.concat(chunks).toString("utf8"));
        const deadline = Date.now() + 900000;
        const context = {
          functionName: process.env.AWS_LAMBDA_FUNCTION_NAME, functionVersion: "$LATEST",
          awsRequestId: require("node:crypto").randomUUID(), logStreamName: "shipped",
          getRemainingTimeInMillis: () => deadline - Date.now(),
        };
        const result = await require(${JSON.stringify(`./${file}.js`)})[${JSON.stringify(name)}](event, context);
        process.stdout.write(JSON.stringify(result ?? null));
        process.exit(0); // Lambda freezes the process once the handler has answered
      });`;
    return run(process.execPath, ["-e", script], {
      cwd: dir,
      env: { ...env, NODE_PATH: NODE_RUNTIME_SDK },
      input,
    });
  }
  if (runtime.startsWith("python")) {
    const layerArgs = options.layer
      ? [options.layer, await mkdtemp(path.join(path.dirname(options.layer), "var-"))]
      : [];
    return run("python3", [PYTHON_RUNTIME, dir, handler, ...layerArgs], { cwd: dir, env, input });
  }
  throw new Error(`no runtime for ${runtime}`);
}
