import { parseArgs } from "node:util";
import { loadSignatureFolder, SHIPPED_SIGNATURES_DIR, type SignatureFileInfo } from "../../identify/index.ts";
import { virusDatabaseState } from "../../tools/clamav-databases.ts";
import { clamdSocket } from "../../tools/clamav-scan.ts";
import { describeTools, type ToolStatus } from "../../tools/discover.ts";
import { missingTools, missingToolsMessage, preflight, toolsForEverything } from "../../tools/preflight.ts";
import { type CliIo, writeLine } from "../io.ts";

/**
 * `stepmatica doctor`: every external tool (found or not, version), the virus databases and the PRONOM
 * signature files identification uses; exit 0 when every tool a run needs is there (and Chromium with
 * --with-browser) and the signatures load. With --install it is the
 * preflight `npm start` and `npm test` run first: it installs what is missing when it can, and
 * otherwise stops at once naming the missing tools and the command line that installs them.
 */
export async function doctorCommand(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: { json: { type: "boolean" }, install: { type: "boolean" }, "with-browser": { type: "boolean" } },
  });
  const withBrowser = values["with-browser"] ?? false;
  if (values.install) {
    const result = await preflight(withBrowser, { out: (line) => writeLine(io.stdout, line) });
    if (!result.ok) {
      writeLine(io.stderr, `stepmatica doctor: ${result.message}`);
      if (values.json) writeLine(io.stdout, JSON.stringify({ ok: false, message: result.message }));
      return 1;
    }
    // The preflight's answer is one line; `stepmatica doctor` without --install gives the full report.
    const checked = toolsForEverything(withBrowser).map((spec) => spec.name);
    if (values.json) writeLine(io.stdout, JSON.stringify({ ok: true, tools: checked }));
    else writeLine(io.stdout, `stepmatica doctor: tools present (${checked.join(", ")})`);
    return 0;
  }
  const [tools, viruses, socket, missing, signatures] = await Promise.all([
    describeTools(),
    virusDatabaseState(),
    clamdSocket(),
    missingTools(toolsForEverything(withBrowser)),
    signatureState(),
  ]);
  if (values.json) {
    const ok = missing.length === 0 && "files" in signatures;
    writeLine(
      io.stdout,
      JSON.stringify({ tools, viruses: { ...viruses, clamdSocket: socket }, signatures, ok }),
    );
    return ok ? 0 : 1;
  }
  writeLine(io.stdout, "tools:");
  for (const t of tools) writeToolLines(io, t);
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
    writeLine(io.stderr, missingToolsMessage(missing, withBrowser));
    return 1;
  }
  if (!("files" in signatures)) return 1;
  writeLine(
    io.stdout,
    `all required tools found${withBrowser ? " (and Chromium for the browser tests)" : ""}`,
  );
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

function writeToolLines(io: CliIo, t: ToolStatus): void {
  const state =
    t.path === null
      ? t.required
        ? "MISSING"
        : `not found (${t.neededBy === "optional" ? "optional" : `needed by the ${t.neededBy}`})`
      : (t.version ?? `found, no version: ${t.problem}`);
  writeLine(io.stdout, `  ${t.name.padEnd(10)} ${state}`);
  if (t.path) writeLine(io.stdout, `  ${"".padEnd(10)} ${t.path}`);
  const when = t.neededBy === "optional" ? "optional" : `needed by ${t.neededBy}`;
  writeLine(io.stdout, `  ${"".padEnd(10)} ${t.purpose}; from ${t.source}; ${when}`);
}
