import path from "node:path";
import { mapLimit } from "../core/concurrency.ts";
import { statFile } from "../core/inline-fs.ts";
import type { EventRecord, FileRecord } from "../core/model.ts";
import type { TaskModule } from "../core/task-module.ts";
import { NOT_PERFORMED_WITH_REAL_SIGNATURES } from "../tools/clamav-databases.ts";
import { CLAMAV_MAX_FILE_BYTES, type ScanReport, type ScanResult, scanFiles } from "../tools/clamav-scan.ts";
import { fileEvent } from "./events.ts";

/** Longest a batch scan may take before its process group is killed (the job's own timeout is longer). */
const BATCH_TIMEOUT_MS = 2 * 3600 * 1000;

/**
 * Scan for viruses: one ClamAV run for the whole batch (never one per file). An infected file
 * fails the task naming the file and the signature, which rejects the transfer; a file the scanner
 * could not read fails it too. Every file gets a "virus check" event naming the engine, its version
 * and the signature databases (names, versions, count). A scan that had only the project's test
 * signatures could not have found a real virus: its events say "warning" and "not performed with
 * real signatures", never success.
 */
export const scanForViruses: TaskModule = {
  name: "scan-for-viruses",
  command: "clamscan --file-list=BATCH (clamdscan when a clamd socket exists)",
  async run(ctx) {
    if (ctx.files.length === 0) return { exitCode: 0, output: { infected: 0 } };
    const scannable: FileRecord[] = [];
    const oversized: FileRecord[] = [];
    // Sizes looked up 16 at a time (a batch is thousands of files), then sorted in batch order.
    const sizes = await mapLimit(
      ctx.files,
      16,
      async (file) => (await statFile(absolutePath(ctx.unitPath, file)).catch(() => null))?.size ?? 0,
    );
    ctx.files.forEach((file, i) => {
      (sizes[i]! > CLAMAV_MAX_FILE_BYTES ? oversized : scannable).push(file);
    });
    const report = await scanFiles(
      scannable.map((f) => absolutePath(ctx.unitPath, f)),
      { signal: ctx.signal, timeoutMs: BATCH_TIMEOUT_MS },
    );
    // Loud, but on stdout: stderr is what a rejection's reason is made of.
    if (report.onlyTestSignatures) ctx.stdout(report.databases);
    const detail = `program="${report.program}"; version="${report.version}"; databases="${report.databases}"`;
    const events: EventRecord[] = [];
    let infected = 0;
    let failures = 0;
    scannable.forEach((file, i) => {
      const result = report.results[i]!;
      const { outcome, outcomeDetail } = describeScanResult(result, report);
      if (result.status === "infected") {
        infected += 1;
        ctx.stderr(`${file.path}: infected: ${result.signature} (${report.program})`);
      } else if (result.status === "error") {
        failures += 1;
        ctx.stderr(`${file.path}: not scanned: ${result.message}`);
      }
      events.push(fileEvent(ctx, file, "virus check", { detail, outcome, outcomeDetail }));
    });
    for (const file of oversized) {
      ctx.stderr(`${file.path}: not scanned: larger than ClamAV's 2 GiB limit`);
      events.push(
        fileEvent(ctx, file, "virus check", {
          detail,
          outcome: "warning",
          outcomeDetail: "not scanned: larger than ClamAV's 2 GiB limit",
        }),
      );
    }
    ctx.stdout(
      `${report.program} scanned ${scannable.length} file(s) in one run: ${infected} infected, ${failures} not scanned`,
    );
    return {
      exitCode: infected > 0 || failures > 0 ? 1 : 0,
      events,
      output: { infected },
    };
  },
};

export function describeScanResult(
  result: ScanResult,
  report: Pick<ScanReport, "onlyTestSignatures">,
): { outcome: EventRecord["outcome"]; outcomeDetail: string } {
  if (result.status === "infected")
    return { outcome: "failure", outcomeDetail: `infected: ${result.signature}` };
  if (result.status === "error")
    return { outcome: "failure", outcomeDetail: `not scanned: ${result.message}` };
  const note = result.message ? ` (${result.message})` : "";
  if (report.onlyTestSignatures) {
    return {
      outcome: "warning",
      outcomeDetail: `${NOT_PERFORMED_WITH_REAL_SIGNATURES}: only the stepmatica test signatures were loaded, no official ClamAV database; real viruses are not detected${note}`,
    };
  }
  return { outcome: "success", outcomeDetail: `clean${note}` };
}

function absolutePath(unitPath: string, file: FileRecord): string {
  return path.join(unitPath, ...file.path.split("/"));
}
