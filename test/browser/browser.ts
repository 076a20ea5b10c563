import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { createInterface } from "node:readline";
import { type Browser, chromium } from "playwright-core";
import { toolSpec } from "../../functions/tools/discover.ts";
import { installCommand } from "../../functions/tools/preflight.ts";

const REPO = path.resolve(import.meta.dirname, "../..");

/**
 * Debian's Chromium (found on PATH, as `stepmatica doctor --with-browser` finds it), headless.
 * Missing Chromium is a failure naming the command line that installs it, never a skip.
 */
export async function launchChromium(): Promise<Browser> {
  const executable = await toolSpec("chromium").locate();
  if (!executable) {
    throw new Error(
      `chromium is missing: the dashboard's browser tests need Debian's chromium; install it with: ${installCommand(true)}`,
    );
  }
  return chromium.launch({
    executablePath: executable,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

export interface ServeProcess {
  url: string;
  child: ChildProcess;
  stderr: string[];
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** `stepmatica serve --port 0` as a user runs it (the binary, a separate process); its first line is the URL. */
export async function startServe(home: string, out: string): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    [path.join(REPO, "functions/cli/stepmatica.mjs"), "serve", "--port", "0", "--out", out],
    // The embedded default, in this test's own home: with CI's DATABASE_URL the serve process would
    // share the server's public schema with every earlier run (the contract suites cover the server).
    {
      cwd: REPO,
      env: { ...process.env, STEPMATICA_HOME: home, DATABASE_URL: "", REDIS_URL: "" },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on("line", (l) => stderr.push(l));
  const lines = createInterface({ input: child.stdout! });
  const [first] = (await Promise.race([
    once(lines, "line"),
    once(child, "exit").then(([code]) => {
      throw new Error(`stepmatica serve exited with ${code} before printing its URL:\n${stderr.join("\n")}`);
    }),
  ])) as [string];
  return {
    url: first,
    child,
    stderr,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      const [code] = (await exited) as [number | null];
      return code;
    },
  };
}
