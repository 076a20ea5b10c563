import path from "node:path";
import { PassThrough } from "node:stream";
import { main } from "../../functions/cli/main.ts";

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** The last stdout line parsed as JSON (the --json contract), or null. */
  json: Record<string, unknown> | null;
}

/** Runs the CLI in this process (as the binary would, minus the tsx start-up) and captures its output. */
export async function stepmatica(
  args: string[],
  env: Record<string, string | undefined>,
  cwd = process.cwd(),
): Promise<CliResult> {
  const out = new PassThrough();
  const err = new PassThrough();
  const outChunks: Buffer[] = [];
  const errChunks: Buffer[] = [];
  out.on("data", (c: Buffer) => outChunks.push(c));
  err.on("data", (c: Buffer) => errChunks.push(c));
  const code = await main(args, { stdout: out, stderr: err, env: { ...env }, cwd });
  const stdout = Buffer.concat(outChunks).toString("utf8");
  const stderr = Buffer.concat(errChunks).toString("utf8");
  const last = stdout.trimEnd().split("\n").at(-1) ?? "";
  let json: Record<string, unknown> | null = null;
  try {
    json = last.startsWith("{") ? (JSON.parse(last) as Record<string, unknown>) : null;
  } catch {
    json = null;
  }
  return { code, stdout, stderr, json };
}

/** `stepmatica run SOURCE` with the automated preset into `<root>/aips-<name>`, answering in JSON. */
export function runAutomated(
  root: string,
  env: Record<string, string | undefined>,
  source: string,
  name: string,
  ...extra: string[]
): Promise<CliResult> {
  return stepmatica(
    ["run", source, "--out", path.join(root, `aips-${name}`), "--config", "automated", "--json", ...extra],
    env,
  );
}
