import { spawn } from "node:child_process";
import path from "node:path";

/**
 * The one way task modules run external tools: an argument array (never a shell), its own process
 * group (so a timeout kills the tool and everything it started), bounded output, and a counter of
 * invocations per tool (tests use it to show that per-file tools run per batch, not per file).
 */

export interface RunToolOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Kill the process group after this many milliseconds (default: 1 hour). */
  timeoutMs?: number;
  /** Kill the process group when this aborts (the task's timeout or a worker shutdown). */
  signal?: AbortSignal;
  /** Bytes kept of stdout and of stderr each (default 1 MiB); the rest is counted, not kept. */
  maxOutputBytes?: number;
  /** Written to the tool's stdin, which is then closed (default: stdin closed at once). */
  input?: string | Buffer;
}

export interface ToolResult {
  /** The tool's exit code; 128 + signal number when it was killed (137 for SIGKILL). */
  exitCode: number;
  /** The signal that ended it, if any. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** True when stdout or stderr was longer than maxOutputBytes and was cut. */
  truncated: boolean;
  timedOut: boolean;
  aborted: boolean;
  durationMs: number;
}

/** The executable could not be started (not installed, not executable). */
export class ToolNotFoundError extends Error {
  override name = "ToolNotFoundError";
  constructor(
    readonly tool: string,
    detail: string,
  ) {
    super(`${tool} not found: ${detail}`);
  }
}

const DEFAULT_TIMEOUT_MS = 3600 * 1000;
const DEFAULT_MAX_OUTPUT = 1 << 20;
const SIGNAL_NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGKILL: 9, SIGTERM: 15, SIGINT: 2 };

const invocations = new Map<string, number>();

/** How many times each tool (by base name) was started by runTool in this process. */
export function toolInvocationCounts(): ReadonlyMap<string, number> {
  return new Map(invocations);
}

export function resetToolInvocationCounts(): void {
  invocations.clear();
}

export async function runTool(command: string, args: readonly string[], options: RunToolOptions = {}) {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const maxOutput = options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT;
  options.signal?.throwIfAborted();
  const name = path.basename(command);
  invocations.set(name, (invocations.get(name) ?? 0) + 1);
  const started = Date.now();
  const child = spawn(command, [...args], {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    detached: true, // its own process group: -pid reaches the tool's children too
  });
  const stdout = new BoundedBuffer(maxOutput);
  const stderr = new BoundedBuffer(maxOutput);
  child.stdout?.on("data", (chunk: Buffer) => stdout.add(chunk));
  child.stderr?.on("data", (chunk: Buffer) => stderr.add(chunk));
  if (options.input !== undefined && child.stdin) {
    child.stdin.on("error", () => undefined); // the tool may exit without reading its input
    child.stdin.end(options.input);
  }

  let timedOut = false;
  let aborted = false;
  const killGroup = () => {
    if (child.pid === undefined || child.exitCode !== null) return;
    try {
      process.kill(-child.pid, "SIGKILL");
    } catch {
      child.kill("SIGKILL"); // the group is gone already; make sure the leader is too
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, timeoutMs);
  const onAbort = () => {
    aborted = true;
    killGroup();
  };
  options.signal?.addEventListener("abort", onAbort, { once: true });

  try {
    const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>(
      (resolve, reject) => {
        child.once("error", (error: NodeJS.ErrnoException) => {
          if (error.code === "ENOENT" || error.code === "EACCES") {
            reject(new ToolNotFoundError(command, `cannot start it (${error.code})`));
          } else reject(error);
        });
        child.once("close", (exitCode, exitSignal) => resolve({ code: exitCode, signal: exitSignal }));
      },
    );
    return {
      exitCode: code ?? 128 + (signal ? (SIGNAL_NUMBERS[signal] ?? 1) : 1),
      signal,
      stdout: stdout.text(),
      stderr: stderr.text(),
      truncated: stdout.truncated || stderr.truncated,
      timedOut,
      aborted,
      durationMs: Date.now() - started,
    } satisfies ToolResult;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
  }
}

/** Keeps the first `limit` bytes of a stream. */
class BoundedBuffer {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  truncated = false;
  constructor(private readonly limit: number) {}
  add(chunk: Buffer): void {
    const room = this.limit - this.size;
    if (room <= 0) {
      this.truncated = true;
      return;
    }
    const kept = chunk.length > room ? chunk.subarray(0, room) : chunk;
    if (kept !== chunk) this.truncated = true;
    this.chunks.push(kept);
    this.size += kept.length;
  }
  text(): string {
    return Buffer.concat(this.chunks).toString("utf8");
  }
}
