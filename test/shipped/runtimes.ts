/**
 * Loading the assets aws-cdk-lib writes itself (custom-resource providers, BucketDeployment): they
 * rely on what Lambda's runtimes provide (the AWS SDK for JavaScript v3 in Node.js, boto3 in Python),
 * so each is loaded in a child process from its empty folder with only that on the module path.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { REPO_ROOT } from "../infra/synth.ts";

async function run(command: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }) {
  const child = spawn(command, args, { ...options, stdio: ["ignore", "pipe", "pipe"] });
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

/** Loads `<file>.<export>` in a fresh runtime process from `dir` and says whether the export is a function. */
export async function loadInRuntime(runtime: string, dir: string, handler: string) {
  const dot = handler.lastIndexOf(".");
  const [file, name] = [handler.slice(0, dot), handler.slice(dot + 1)];
  if (runtime.startsWith("nodejs")) {
    const script = `const m = require(${JSON.stringify(`./${file}.js`)}); process.stdout.write(typeof m[${JSON.stringify(name)}]);`;
    // The runtime's SDK: the AWS SDK v3 packages, found through NODE_PATH as in /var/runtime/node_modules.
    const env = { PATH: process.env.PATH, NODE_PATH: path.join(REPO_ROOT, "node_modules") };
    return run(process.execPath, ["-e", script], { cwd: dir, env });
  }
  if (runtime.startsWith("python")) {
    const script = `import sys; sys.path.insert(0, "."); import ${file} as m; sys.stdout.write("function" if callable(getattr(m, ${JSON.stringify(name)}, None)) else "missing")`;
    return run("python3", ["-c", script], {
      cwd: dir,
      env: { PATH: process.env.PATH, AWS_DEFAULT_REGION: "us-east-1" },
    });
  }
  throw new Error(`no loader for runtime ${runtime}`);
}
