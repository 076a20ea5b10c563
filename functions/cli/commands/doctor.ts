import { parseArgs } from "node:util";
import { loadSignatureFolder, SHIPPED_SIGNATURES_DIR, type SignatureFileInfo } from "../../identify/index.ts";
import { virusDatabaseState } from "../../tools/clamav-databases.ts";
import { clamdSocket } from "../../tools/clamav-scan.ts";
import { describeTools, INSTALL_SCRIPT } from "../../tools/discover.ts";
import { type CliIo, writeLine } from "../io.ts";

/**
 * `stepmatica doctor`: every external tool (found or not, version), the virus databases and the PRONOM
 * signature files identification uses. 0 when all required tools are there and the signatures load.
 */
export async function doctorCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { json: { type: "boolean" } } });
  const [tools, viruses, socket, signatures] = await Promise.all([
    describeTools(),
    virusDatabaseState(),
    clamdSocket(),
    signatureState(),
  ]);
  const missing = tools.filter((t) => t.required && t.path === null);
  const ok = missing.length === 0 && "files" in signatures;
  if (values.json) {
    writeLine(
      io.stdout,
      JSON.stringify({ tools, viruses: { ...viruses, clamdSocket: socket }, signatures, ok }),
    );
    return ok ? 0 : 1;
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
  writeLine(io.stdout, `identification signatures (PRONOM, ${SHIPPED_SIGNATURES_DIR}):`);
  if ("files" in signatures) {
    for (const f of signatures.files) {
      writeLine(
        io.stdout,
        `  ${f.file} version ${f.version}${f.date ? `, ${f.date}` : ""}; sha256 ${f.sha256}`,
      );
    }
  } else {
    writeLine(io.stderr, `signature files cannot be used: ${signatures.problem}`);
  }
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
  if (!ok) return 1;
  writeLine(io.stdout, "all required tools found");
  return 0;
}

async function signatureState(): Promise<{ files: SignatureFileInfo[] } | { problem: string }> {
  try {
    const { files } = await loadSignatureFolder();
    return { files };
  } catch (error) {
    return { problem: (error as Error).message };
  }
}
