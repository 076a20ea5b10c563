import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import path from "node:path";
import { runTool } from "./run-tool.ts";

/** The first file called `name` on PATH that is executable (no shell, no `which`). */
export async function findExecutable(
  name: string,
  searchPath = process.env.PATH ?? "",
): Promise<string | null> {
  if (name.includes("/")) return (await isExecutableFile(name)) ? path.resolve(name) : null;
  for (const dir of searchPath.split(path.delimiter)) {
    if (dir === "") continue;
    const candidate = path.join(dir, name);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return null;
}

export async function isExecutableFile(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** Runs `executable args` briefly and returns the first output line matching `pattern` (or the first line). */
export async function versionLine(executable: string, args: string[], pattern?: RegExp): Promise<string> {
  const result = await runTool(executable, args, { timeoutMs: 20_000, maxOutputBytes: 64 * 1024 });
  const lines = `${result.stdout}\n${result.stderr}`
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
  const line = (pattern ? lines.find((l) => pattern.test(l)) : undefined) ?? lines[0];
  if (!line) throw new Error(`no version output (exit ${result.exitCode})`);
  return line.replace(/\s*:?\s*Copyright.*$/i, "");
}
