import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
export const CLI = path.join(repoRoot, "functions/cli/stepmatica.mjs");

export interface CliProcess {
  child: ChildProcess;
  /** Everything it wrote, stdout and stderr interleaved, so far. */
  output(): string;
  done: Promise<{ code: number | null; signal: string | null; out: string; stdout: string }>;
}

/**
 * The real `stepmatica` binary as its own process (in its own process group) on the embedded
 * default of `home`: no DATABASE_URL, no REDIS_URL. `onOutput` sees the output so far on each chunk.
 */
export function spawnCli(
  args: string[],
  home: string,
  options: { env?: Record<string, string>; onOutput?: (text: string) => void } = {},
): CliProcess {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: {
      ...process.env,
      STEPMATICA_HOME: home,
      SOURCE_DATE_EPOCH: "1700000000",
      DATABASE_URL: "",
      REDIS_URL: "",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let out = "";
  let stdout = "";
  child.stdout?.on("data", (c: Buffer) => {
    stdout += c.toString();
    out += c.toString();
    options.onOutput?.(out);
  });
  child.stderr?.on("data", (c: Buffer) => {
    out += c.toString();
    options.onOutput?.(out);
  });
  const done = new Promise<{ code: number | null; signal: string | null; out: string; stdout: string }>(
    (resolve) => child.on("close", (code, signal) => resolve({ code, signal, out, stdout })),
  );
  return { child, output: () => out, done };
}

/** SIGKILL a CLI process and whatever it started in its group (tools it was running). */
export function killGroup(child: ChildProcess): void {
  try {
    if (child.pid) process.kill(-child.pid, "SIGKILL");
  } catch {
    child.kill("SIGKILL"); // already gone, or no group: the process alone
  }
}

/** The last stdout line as the --json object, or null. */
export function lastJson(stdout: string): Record<string, unknown> | null {
  const last = stdout.trimEnd().split("\n").at(-1) ?? "";
  try {
    return last.startsWith("{") ? (JSON.parse(last) as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
