import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { execTool, hasTool } from "../exec.ts";
import { fail, pass, type Verdict } from "./types.ts";

const notInstalled = (program: string): Verdict => ({
  outcome: "not applicable",
  detail: `${program} is not installed`,
});

/** XML well-formedness with libxml2's parser (xmllint --noout --nonet: no DTD or entity fetches). */
export async function checkXml(file: string, signal: AbortSignal): Promise<Verdict> {
  if (!(await hasTool("xmllint"))) return notInstalled("xmllint");
  const result = await execTool("xmllint", ["--noout", "--nonet", path.resolve(file)], {
    signal,
    timeoutMs: 300_000,
  });
  if (result.exitCode === 0) return pass("well-formed XML (libxml2)");
  const first = result.stderr.split("\n").find((l) => l.trim() !== "") ?? `exit ${result.exitCode}`;
  return fail(first.replace(file, "").replace(/^:/, "line "));
}

/** MediaConch's implementation checks (Matroska, FFV1, WAV, …); "N/A!" for formats it does not check. */
export async function checkMediaConch(file: string, signal: AbortSignal): Promise<Verdict> {
  if (!(await hasTool("mediaconch"))) return notInstalled("mediaconch");
  // MediaConch keeps a results database under the user's data folder; concurrent runs sharing one
  // lock each other out, so each run gets its own, removed afterwards.
  const home = await mkdtemp(path.join(tmpdir(), "stepmatica-mediaconch-"));
  const result = await execTool("mediaconch", ["--", file], {
    signal,
    timeoutMs: 600_000,
    env: { HOME: home, XDG_DATA_HOME: home, XDG_CONFIG_HOME: home },
  }).finally(() => rm(home, { recursive: true, force: true }));
  const lines = result.stdout.split("\n").filter((l) => l.trim() !== "");
  const status = /^(pass|fail|N\/A)!/.exec(lines[0] ?? "")?.[1];
  if (status === "pass") return pass("MediaConch implementation checks passed");
  if (status === "N/A")
    return { outcome: "not applicable", detail: "MediaConch has no checks for this format" };
  if (status === "fail")
    return fail(
      lines
        .slice(1, 6)
        .map((l) => l.trim())
        .join("; ") || "MediaConch: fail",
    );
  return fail(`mediaconch: ${result.stderr.trim() || `unexpected output (exit ${result.exitCode})`}`);
}

const versions = new Map<string, Promise<string>>();
export function toolVersion(program: string, args: string[], pattern: RegExp): Promise<string> {
  let known = versions.get(program);
  if (!known) {
    known = execTool(program, args, { timeoutMs: 10_000 }).then(
      (r) => pattern.exec(`${r.stdout}\n${r.stderr}`)?.[1] ?? "unknown",
      () => "not installed",
    );
    versions.set(program, known);
  }
  return known;
}
