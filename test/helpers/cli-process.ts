import { type ChildProcess, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
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

/**
 * Stops the database owner of `home` if one still runs (it lingers for its idle seconds after the
 * last client) and waits for it to exit, so the home can be removed: removing it while the owner
 * writes its data folder fails with ENOTEMPTY. Only a process whose command line names db-owner is
 * signalled (the pid in db-owner.json may be a killed owner's, reused since).
 */
export async function stopHomeOwner(home: string, timeoutMs = 15_000): Promise<void> {
  let pid: number;
  try {
    pid = (JSON.parse(await readFile(path.join(home, "db-owner.json"), "utf8")) as { pid: number }).pid;
    const command = await readFile(`/proc/${pid}/cmdline`, "utf8");
    if (!command.includes("db-owner")) return;
    process.kill(pid, "SIGTERM");
  } catch {
    return; // no owner recorded, or it is gone
  }
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; ) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the database owner ${pid} of ${home} did not stop within ${timeoutMs} ms`);
}
