import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { INSTALL_SCRIPT, isRequired, toolSpec } from "./discover.ts";
import { findExecutable } from "./locate.ts";
import { type NeededBy, TOOLS, type ToolSpec } from "./tool-list.ts";

/**
 * The one preflight: `stepmatica doctor --install` (which `npm start` and `npm test` run first) and
 * `stepmatica run` (before it starts a transfer) both ask it which tools are missing. It installs
 * them with the script the worker image and CI use when it can (root or passwordless sudo, on
 * Debian/Ubuntu); otherwise it says which tools are missing and the one command line that installs them.
 */

/** The parts of a processing configuration that decide which tools a run calls. */
export interface ToolChoices {
  scan_for_viruses: boolean | "ask";
  normalize: string;
}

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** The tools a run with this configuration calls (a decision left to "ask" may take either way). */
export function toolsForRun(config: ToolChoices): ToolSpec[] {
  const parts = new Set<NeededBy>(["every run"]);
  if (config.scan_for_viruses !== false) parts.add("virus scan");
  if (config.normalize !== "none") parts.add("normalization");
  return TOOLS.filter((spec) => parts.has(spec.neededBy));
}

/** Every tool some run needs, plus Chromium when the browser tests will run. */
export function toolsForEverything(withBrowser: boolean): ToolSpec[] {
  return TOOLS.filter((spec) => isRequired(spec) || (withBrowser && spec.neededBy === "browser tests"));
}

/** The tools of `specs` that are not installed. A running clamd with clamdscan stands in for clamscan. */
export async function missingTools(specs: readonly ToolSpec[]): Promise<ToolSpec[]> {
  const found = await Promise.all(specs.map(async (spec) => (await spec.locate()) !== null));
  const missing = specs.filter((_, i) => !found[i]);
  if (missing.some((spec) => spec.name === "clamscan") && (await clamdCanScan())) {
    return missing.filter((spec) => spec.name !== "clamscan");
  }
  return missing;
}

async function clamdCanScan(): Promise<boolean> {
  const { clamdSocket } = await import("./clamav-scan.ts");
  return (await clamdSocket()) !== null && (await toolSpec("clamdscan").locate()) !== null;
}

/** The command line that installs the tools (as root, or with sudo). */
const runningAsRoot = () => process.getuid?.() === 0;

export function installCommand(withBrowser: boolean, asRoot = runningAsRoot()): string {
  const script = path.join(REPO_ROOT, INSTALL_SCRIPT);
  return `${asRoot ? "" : "sudo "}bash ${script}${withBrowser ? " --with-browser" : ""}`;
}

/** "clamscan (clamav), gs (ghostscript)": each missing tool and where it comes from. */
export function describeMissing(missing: readonly ToolSpec[]): string {
  return missing.map((spec) => `${spec.name} (${spec.source})`).join(", ");
}

/** The error a run or a preflight stops with: the missing tools and the command line that installs them. */
export function missingToolsMessage(
  missing: readonly ToolSpec[],
  withBrowser: boolean,
  asRoot = runningAsRoot(),
): string {
  return `missing tools: ${describeMissing(missing)}; install them with: ${installCommand(withBrowser, asRoot)}`;
}

/** Why install-tools.sh cannot run here (null when it can: Debian/Ubuntu, and root or passwordless sudo). */
export async function cannotInstallBecause(asRoot = runningAsRoot()): Promise<string | null> {
  if (!(await findExecutable("apt-get")) || !(await findExecutable("dpkg-query"))) {
    return "apt-get is not available (install-tools.sh is for Debian and Ubuntu)";
  }
  if (asRoot) return null;
  const sudo = await findExecutable("sudo");
  if (!sudo) return "not running as root, and sudo is not installed";
  const code = await exitCodeOf(sudo, ["-n", "true"], () => {});
  return code === 0 ? null : "not running as root, and sudo asks for a password";
}

export interface PreflightIo {
  out(line: string): void;
}

export interface PreflightResult {
  ok: boolean;
  /** What is still missing after any install. */
  missing: ToolSpec[];
  /** Why it stopped (missing tools, the install command, and why it did not install them). */
  message?: string;
}

/** Checks the tools, installs the missing ones when it can, and checks again. */
export async function preflight(
  withBrowser: boolean,
  io: PreflightIo,
  asRoot = runningAsRoot(),
): Promise<PreflightResult> {
  const wanted = toolsForEverything(withBrowser);
  const missing = await missingTools(wanted);
  if (missing.length === 0) return { ok: true, missing };
  const debianOnes = missing.filter((spec) => spec.debianPackage !== undefined);
  if (debianOnes.length < missing.length) {
    // npm dependencies: `npm ci` installs them, the script cannot.
    const npmOnes = missing.filter((spec) => spec.debianPackage === undefined);
    return { ok: false, missing, message: `missing: ${describeMissing(npmOnes)}; run npm ci` };
  }
  const reason = await cannotInstallBecause(asRoot);
  if (reason !== null) {
    return {
      ok: false,
      missing,
      message: `${missingToolsMessage(missing, withBrowser, asRoot)} (${reason})`,
    };
  }
  io.out(`installing the missing tools: ${describeMissing(missing)}`);
  const script = path.join(REPO_ROOT, INSTALL_SCRIPT);
  const [program, args] = asRoot
    ? ["bash", [script]]
    : [(await findExecutable("sudo")) ?? "sudo", ["-n", "bash", script]];
  const code = await exitCodeOf(program, [...args, ...(withBrowser ? ["--with-browser"] : [])], io.out);
  const still = await missingTools(wanted);
  if (still.length === 0) return { ok: true, missing: [] };
  const why = code !== 0 ? `${INSTALL_SCRIPT} exited with ${code}` : "installed, but not found on PATH";
  const message = `${missingToolsMessage(still, withBrowser, asRoot)} (${why})`;
  return { ok: false, missing: still, message };
}

/** Runs a program with an argument array, passing its output on line by line; resolves to its exit code. */
function exitCodeOf(program: string, args: string[], out: (line: string) => void): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(program, args, { stdio: ["ignore", "pipe", "pipe"] });
    const forward = (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split("\n")) if (line.trim() !== "") out(line);
    };
    child.stdout.on("data", forward);
    child.stderr.on("data", forward);
    child.on("error", () => resolve(127));
    child.on("close", (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}
