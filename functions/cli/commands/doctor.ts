import { parseArgs } from "node:util";
import { virusDatabaseState } from "../../tools/clamav-databases.ts";
import { clamdSocket } from "../../tools/clamav-scan.ts";
import { describeTools, INSTALL_SCRIPT } from "../../tools/discover.ts";
import { type CliIo, writeLine } from "../io.ts";

/** `stepmatica doctor`: every external tool (found or not, version) and the virus databases. 0 when all required tools are there. */
export async function doctorCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: "boolean" } } });
  const [tools, viruses, socket] = await Promise.all([describeTools(), virusDatabaseState(), clamdSocket()]);
  const missing = tools.filter((t) => t.required && t.path === null);
  if (values.json) {
    writeLine(
      io.stdout,
      JSON.stringify({ tools, viruses: { ...viruses, clamdSocket: socket }, ok: missing.length === 0 }),
    );
    return missing.length === 0 ? 0 : 1;
  }
  writeLine(io.stdout, "tools:");
  for (const t of tools) {
    const state =
      t.path === null
        ? t.required
          ? "MISSING"
          : "not found (optional)"
        : (t.version ?? `found, no version: ${t.problem}`);
    writeLine(io.stdout, `  ${t.name.padEnd(10)} ${state}`);
    if (t.path) writeLine(io.stdout, `  ${"".padEnd(10)} ${t.path}`);
    writeLine(io.stdout, `  ${"".padEnd(10)} ${t.purpose}; from ${t.source}`);
  }
  writeLine(io.stdout, "virus databases:");
  writeLine(io.stdout, `  test signatures: ${viruses.testDatabaseDir} (always loaded)`);
  if (viruses.official.length === 0) writeLine(io.stdout, `  official: none in ${viruses.officialDir}`);
  for (const db of viruses.official) writeLine(io.stdout, `  official: ${db.description} (${db.file})`);
  writeLine(io.stdout, `  clamd socket: ${socket ?? "none (clamscan is used)"}`);
  if (viruses.onlyTestSignatures) {
    writeLine(
      io.stderr,
      `WARNING: ${viruses.summary.replace(/^WARNING: /, "")}; run freshclam (Debian clamav-freshclam) or install the databases`,
    );
  }
  if (missing.length > 0) {
    writeLine(
      io.stderr,
      `missing required tools: ${missing.map((t) => `${t.name} (${t.source})`).join(", ")}; run ${INSTALL_SCRIPT}`,
    );
    return 1;
  }
  writeLine(io.stdout, "all required tools found");
  return 0;
}
