import { spawn } from "node:child_process";

export interface ToolResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export class ToolError extends Error {
  override name = "ToolError";
}

const MAX_CAPTURE = 64 * 1024 * 1024;

/**
 * Runs a program with an argument array (never a shell) in its own process group, capturing its
 * output; a timeout or an aborted signal kills the whole group. A missing program is a ToolError
 * naming it. (A stand-in until functions/tools/run-tool.ts exists; same contract.)
 */
export function execTool(
  program: string,
  args: readonly string[],
  options: { signal?: AbortSignal; timeoutMs?: number; cwd?: string; env?: Record<string, string> } = {},
): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(options.signal.reason);
    const child = spawn(program, args, {
      cwd: options.cwd,
      env: options.env ? { ...process.env, ...options.env } : process.env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let captured = 0;
    const keep = (into: Buffer[]) => (chunk: Buffer) => {
      captured += chunk.length;
      if (captured <= MAX_CAPTURE) into.push(chunk);
    };
    child.stdout.on("data", keep(out));
    child.stderr.on("data", keep(err));
    let killedFor: Error | null = null;
    const kill = (reason: Error) => {
      killedFor = reason;
      try {
        if (child.pid) process.kill(-child.pid, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
    };
    const onAbort = () => kill(options.signal!.reason as Error);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => kill(new ToolError(`${program} timed out after ${options.timeoutMs} ms`)), options.timeoutMs);
    const finish = () => {
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
    };
    child.on("error", (error: NodeJS.ErrnoException) => {
      finish();
      reject(
        error.code === "ENOENT" ? new ToolError(`${program} is not installed (not found on PATH)`) : error,
      );
    });
    child.on("close", (code, signal) => {
      finish();
      if (killedFor) return reject(killedFor);
      resolve({
        exitCode: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString("utf8"),
        stderr: Buffer.concat(err).toString("utf8"),
      });
    });
  });
}

const found = new Map<string, Promise<boolean>>();

/** Whether a program can be started (cached per process): optional tools are skipped when absent. */
export function hasTool(program: string, versionArgs: readonly string[] = ["--version"]): Promise<boolean> {
  let known = found.get(program);
  if (!known) {
    known = execTool(program, versionArgs, { timeoutMs: 10_000 }).then(
      () => true,
      () => false,
    );
    found.set(program, known);
  }
  return known;
}
