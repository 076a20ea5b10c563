import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { validateKey } from "../../functions/adapters/aws/s3-object-store.ts";
import { FolderObjectStore } from "../../functions/adapters/local/folder-object-store.ts";

/**
 * Static checks over the product's source (functions/, workflows/, infra/): no shell anywhere a file
 * name could reach, no dynamic code, no secret or whole environment in a log line. Each check is
 * first shown to catch a planted example, so a broken pattern cannot pass silently.
 */
const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const SOURCE_DIRS = ["functions", "workflows", "infra"];

interface Finding {
  file: string;
  line: number;
  rule: string;
  text: string;
}

const LINE_RULES: Array<{ rule: string; pattern: RegExp }> = [
  { rule: "shell option", pattern: /\bshell\s*:\s*(true|["'`])/ },
  {
    rule: "exec/execSync import",
    pattern: /import\s*\{[^}]*\b(exec|execSync)\b[^}]*\}\s*from\s*["'](node:)?child_process["']/,
  },
  {
    rule: "child_process namespace",
    pattern: /import\s+(\*\s+as\s+\w+|\w+)\s+from\s*["'](node:)?child_process["']/,
  },
  { rule: "require child_process", pattern: /require\(\s*["'](node:)?child_process["']\s*\)/ },
  { rule: "exec call", pattern: /(^|[^.\w])(exec|execSync)\s*\(/ },
  { rule: "eval", pattern: /(^|[^.\w])(eval|new\s+Function)\s*\(/ },
];
const LOG_CALL = /(console\.\w+|logger\.\w+|\.write|\bstdout|\bstderr)\s*\(/;
/** The whole environment, or a variable that holds a secret (a password may sit inside a URL). */
const SECRET =
  /process\.env\b(?!\.)|JSON\.stringify\(\s*(process\.)?env\s*\)|env\.\w*(SECRET|PASSWORD|TOKEN|DATABASE_URL|REDIS_URL|CREDENTIAL)\w*/;

/** Findings in one file; a log call is read to the end of its statement, so multi-line calls count. */
function scan(file: string, text: string): Finding[] {
  const findings: Finding[] = [];
  const lines = text.split("\n");
  lines.forEach((line, i) => {
    if (/^\s*(\/\/|\*|\/\*)/.test(line)) return; // comments may name what they forbid
    for (const { rule, pattern } of LINE_RULES) {
      if (pattern.test(line)) findings.push({ file, line: i + 1, rule, text: line.trim() });
    }
    const call = LOG_CALL.exec(line);
    if (call) {
      const statement = [line.slice(call.index), ...lines.slice(i + 1, i + 8)]
        .join("\n")
        .split(/;\s*(\n|$)/)[0]!;
      if (SECRET.test(statement))
        findings.push({ file, line: i + 1, rule: "secret in a log line", text: line.trim() });
    }
  });
  return findings;
}

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules" && entry.name !== "cdk.out") out.push(...(await sourceFiles(full)));
    } else if (/\.(ts|mjs|js|cjs)$/.test(entry.name) && !entry.name.endsWith(".d.ts")) out.push(full);
  }
  return out;
}

describe("security: no shell, no dynamic code, no secrets in logs", () => {
  it("the scanner catches planted examples", () => {
    const planted = [
      'spawn("sh", ["-c", cmd], { shell: true });',
      'import { exec } from "node:child_process";',
      'import cp from "child_process";',
      "execSync(`clamscan ${name}`);",
      "const f = new Function(code);",
      "logger.info('settings', { url: env.DATABASE_URL });",
      "console.log(\n  JSON.stringify(process.env),\n);",
    ];
    for (const text of planted) expect(scan("planted.ts", text), text).not.toEqual([]);
    const clean = [
      "const m = /x/.exec(line);",
      "spawn(executable, [...args], { detached: true });",
      'import { execFile, spawn } from "node:child_process";',
      'logger.info("worker started", { queue: settings.WORKER_QUEUE });',
    ];
    for (const text of clean) expect(scan("clean.ts", text), text).toEqual([]);
  });

  it("the product's source has none of them", async () => {
    const findings: Finding[] = [];
    let files = 0;
    for (const dir of SOURCE_DIRS) {
      for (const file of await sourceFiles(path.join(REPO, dir))) {
        files += 1;
        findings.push(...scan(path.relative(REPO, file), await readFile(file, "utf8")));
      }
    }
    expect(files).toBeGreaterThan(100);
    expect(findings.map((f) => `${f.file}:${f.line} ${f.rule}: ${f.text}`)).toEqual([]);
  });

  it("object keys that could leave their store are refused (uploads, AIP keys)", async () => {
    for (const key of ["../x.zip", "a/../../x", "/etc/passwd", "a//b", "", "a\\..\\b", "./x", "a\u0000b"]) {
      expect(() => validateKey(key), JSON.stringify(key)).toThrow(/invalid object key/);
    }
    expect(validateKey("transfers/a b+c (1).zip")).toBe("transfers/a b+c (1).zip");
    const store = new FolderObjectStore(path.join(REPO, "no-such-folder"));
    await expect(store.putFile("../escape", fileURLToPath(import.meta.url))).rejects.toThrow(
      /invalid object key/,
    );
  });
});
