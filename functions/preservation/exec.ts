import { runTool, ToolNotFoundError } from "../tools/run-tool.ts";

export interface ToolResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export class ToolError extends Error {
  override name = "ToolError";
}

/** Characterization JSON for a batch of 256 media files can be large; keep it whole. */
const MAX_OUTPUT = 64 * 1024 * 1024;

/**
 * Runs a program through the project's tool runner (argument array, own process group, killed on
 * timeout or abort) and turns its outcomes into errors the preservation modules report: a program
 * that is not installed, a timeout, an abort (the task's timeout), output too large to parse.
 */
export async function execTool(
  program: string,
  args: readonly string[],
  options: { signal?: AbortSignal; timeoutMs?: number; cwd?: string; env?: Record<string, string> } = {},
): Promise<ToolResult> {
  let result: Awaited<ReturnType<typeof runTool>>;
  try {
    result = await runTool(program, args, {
      maxOutputBytes: MAX_OUTPUT,
      ...(options.cwd ? { cwd: options.cwd } : {}),
      ...(options.env ? { env: { ...process.env, ...options.env } } : {}),
      ...(options.timeoutMs !== undefined
        ? { timeoutMs: options.timeoutMs }
        : { timeoutMs: 24 * 3600 * 1000 }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if (error instanceof ToolNotFoundError)
      throw new ToolError(`${program} is not installed (not found on PATH)`);
    throw error;
  }
  if (result.aborted) throw options.signal?.reason ?? new ToolError(`${program} was stopped`);
  if (result.timedOut) throw new ToolError(`${program} timed out after ${options.timeoutMs} ms`);
  if (result.truncated) throw new ToolError(`${program} wrote more than ${MAX_OUTPUT} bytes of output`);
  return { exitCode: result.exitCode, stdout: result.stdout, stderr: result.stderr };
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
