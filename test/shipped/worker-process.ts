/** The heavy worker started as its image starts it: the Dockerfile's CMD, in the reproduced WORKDIR. */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { readFile } from "node:fs/promises";
import path from "node:path";

export async function startWorkerFromImage(app: string, env: Record<string, string>) {
  const dockerfile = await readFile(path.join(app, "functions/worker/Dockerfile"), "utf8");
  const cmd = /^CMD\s+(\[.*\])\s*$/m.exec(dockerfile)?.[1];
  if (!cmd) throw new Error("functions/worker/Dockerfile has no exec-form CMD");
  const [program, ...args] = JSON.parse(cmd) as string[];
  if (program !== "node") throw new Error(`the worker's CMD runs ${program}, not node`);
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: app,
    env: { PATH: process.env.PATH ?? "", NODE_ENV: "production", HOME: process.env.HOME ?? "/tmp", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr!.on("data", (chunk) => {
    output += chunk;
  });
  return {
    output: () => output,
    async stop(): Promise<number | null> {
      if (child.exitCode !== null) return child.exitCode;
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}
