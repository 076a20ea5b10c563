import { type ChildProcess, spawn } from "node:child_process";
import { constants as fsConstants } from "node:fs";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import sevenBin from "7zip-bin";

let resolved: Promise<string> | undefined;

/**
 * Path of an executable 7za. The 7zip-bin package sometimes installs without the execute bit;
 * then we add it, or (read-only node_modules, e.g. Lambda) use an executable copy in the temp dir.
 * STEPMATICA_7ZA overrides the binary.
 */
export function sevenZipPath(): Promise<string> {
  resolved ??= findSevenZip().catch((error: unknown) => {
    resolved = undefined;
    throw error;
  });
  return resolved;
}

async function findSevenZip(): Promise<string> {
  const override = process.env.STEPMATICA_7ZA;
  const candidate = override && override !== "" ? override : sevenBin.path7za;
  if (await isExecutable(candidate)) return candidate;
  if (override) throw new Error(`STEPMATICA_7ZA=${override} is not an executable file`);
  try {
    await fs.chmod(candidate, 0o755);
    if (await isExecutable(candidate)) return candidate;
  } catch {
    // read-only install: fall through to a private copy
  }
  const stat = await fs.stat(candidate);
  const copyDir = path.join(os.tmpdir(), `stepmatica-7za-${stat.size}-${Math.trunc(stat.mtimeMs)}`);
  const copy = path.join(copyDir, "7za");
  if (await isExecutable(copy)) return copy;
  await fs.mkdir(copyDir, { recursive: true });
  const partial = `${copy}.${process.pid}.partial`;
  await fs.copyFile(candidate, partial);
  await fs.chmod(partial, 0o755);
  await fs.rename(partial, copy);
  return copy;
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await fs.access(file, fsConstants.X_OK);
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

export interface SevenZipRun {
  child: ChildProcess;
  /** Resolves with the exit code and the end of stderr once the process has exited. */
  done: Promise<{ code: number; stderr: string }>;
}

/** Starts 7za with an argument array (never a shell), stdin closed so it can never prompt. */
export async function spawnSevenZip(args: string[], options: { cwd?: string; signal?: AbortSignal } = {}) {
  const binary = await sevenZipPath();
  const child = spawn(binary, args, {
    cwd: options.cwd,
    stdio: ["ignore", "pipe", "pipe"],
    signal: options.signal,
    // p7zip turns non-ASCII names into "?" unless the locale is UTF-8 (Lambda and CI may have none)
    env: { ...process.env, LC_ALL: "C.UTF-8", LANG: "C.UTF-8" },
  });
  let stderr = "";
  child.stderr?.setEncoding("utf8");
  child.stderr?.on("data", (text: string) => {
    stderr = (stderr + text).slice(-4000);
  });
  const done = new Promise<{ code: number; stderr: string }>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stderr }));
  });
  return { child, done } satisfies SevenZipRun;
}

/** Runs 7za to completion, collecting stdout up to a cap. */
export async function runSevenZip(args: string[], options: { cwd?: string; signal?: AbortSignal } = {}) {
  const { child, done } = await spawnSevenZip(args, options);
  let stdout = "";
  child.stdout?.setEncoding("utf8");
  child.stdout?.on("data", (text: string) => {
    if (stdout.length < 1_000_000) stdout += text;
  });
  const { code, stderr } = await done;
  return { code, stdout, stderr };
}

/** The meaningful line of 7za's complaint, for error messages. */
export function sevenZipReason(stderr: string, code: number): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== "");
  const error = lines.find((line) => /^ERROR:|error/i.test(line)) ?? lines.at(-1);
  return error ? `${error} (7za exit ${code})` : `7za exit ${code}`;
}
