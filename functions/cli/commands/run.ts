import { randomUUID } from "node:crypto";
import { constants } from "node:fs";
import { access, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import {
  askedKeys,
  ConfigError,
  PRESETS,
  type ProcessingConfig,
} from "../../../workflows/processing-config.ts";
import { JobTimeoutsError, parseJobTimeouts } from "../../core/job-timeouts.ts";
import { startTransfer } from "../../core/start-transfer.ts";
import { describeProcessingMcp, resolveTransferConfig } from "../../core/transfer-config.ts";
import { walk } from "../../tasks/fs-walk.ts";
import { missingTools, missingToolsMessage, toolsForRun } from "../../tools/preflight.ts";
import { TransferMetadataError } from "../../transfer-metadata/errors.ts";
import { processingMcpAtPath } from "../../transfer-metadata/processing-mcp-source.ts";
import { followToEnd, progressPoll, type RunSummary, summarize } from "../follow.ts";
import { CliError, type CliIo, usageError, writeLine } from "../io.ts";
import { Progress } from "../progress.ts";
import { openCliRuntime } from "../runtime.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PACKAGE_EXTENSIONS = [".tar.gz", ".tar.bz2", ".tar.xz", ".tgz", ".zip", ".tar", ".7z"];

export async function runCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      out: { type: "string" },
      config: { type: "string" },
      set: { type: "string", multiple: true },
      id: { type: "string" },
      deterministic: { type: "boolean" },
      "external-id": { type: "string" },
      json: { type: "boolean" },
      verbose: { type: "boolean" },
    },
  });
  if (positionals.length !== 1) throw usageError("run takes exactly one PATH");
  if (values.id !== undefined && !UUID.test(values.id))
    throw usageError(`--id must be a UUID, got "${values.id}"`);
  const source = path.resolve(io.cwd, positionals[0]!);
  await checkSource(source);
  // Archivematica's per-transfer processingMCP.xml answers decisions; --set still has the last word.
  const { config, processingMcp } = resolveOrExplain(
    await loadBase(values.config, io.cwd),
    values.set ?? [],
    await processingMcpAtPath(source),
  );
  if (processingMcp) for (const line of describeProcessingMcp(processingMcp)) writeLine(io.stderr, line);
  const asked = askedKeys(config);
  if (asked.length > 0) {
    throw usageError(
      `${asked.join(", ")}: "ask" waits for an operator's answer in the dashboard; start the transfer from "stepmatica serve"`,
    );
  }
  await checkTools(config);

  const { json, progress, rt } = await openFollowedRuntime(io, values);
  const id = values.id?.toLowerCase() ?? randomUUID();
  progress.poll = progressPoll(rt, id);
  progress.start();
  try {
    const started = await startTransfer(rt, {
      id,
      name: transferName(source),
      source: pathToFileURL(source).href,
      config,
      options: {
        ...(values.deterministic ? { sourceDateEpoch: Number(io.env.SOURCE_DATE_EPOCH ?? 0) } : {}),
        ...(values["external-id"] ? { externalIdentifier: values["external-id"] } : {}),
        ...(processingMcp ? { processingMcp } : {}),
      },
    });
    if (started.alreadyStarted) {
      writeLine(
        io.stderr,
        `transfer ${started.unit.id} exists already: reporting it (use "stepmatica resume" to continue an interrupted run)`,
      );
    }
    const summary = started.alreadyStarted
      ? await summarize(rt, started.unit.id)
      : await followToEnd(rt, started.unit.id);
    progress.stop();
    return report(summary, io, json);
  } finally {
    progress.stop();
    await rt.close();
  }
}

/** STEPMATICA_JOB_TIMEOUTS="job=seconds,…": per-job timeout overrides (a bad entry is a usage error). */
function jobTimeoutsOf(io: CliIo) {
  try {
    return parseJobTimeouts(io.env.STEPMATICA_JOB_TIMEOUTS);
  } catch (error) {
    if (error instanceof JobTimeoutsError) throw usageError(error.message);
    throw error;
  }
}

export function report(summary: RunSummary, io: CliIo, json: boolean): number {
  if (summary.status === "completed") {
    writeLine(io.stdout, `AIP stored: ${summary.aip} (${summary.files} files, transfer ${summary.id})`);
  } else {
    writeLine(io.stderr, `${summary.status}: ${summary.reason}`);
  }
  if (json) writeLine(io.stdout, JSON.stringify(summary));
  return summary.status === "completed" ? 0 : 1;
}

async function loadBase(choice: string | undefined, cwd: string): Promise<unknown> {
  if (choice === undefined) return PRESETS.default;
  if (choice === "default" || choice === "automated") return PRESETS[choice];
  const file = path.resolve(cwd, choice);
  try {
    return JSON.parse(await readFile(file, "utf8"));
  } catch (error) {
    throw usageError(`--config ${choice}: ${(error as Error).message}`);
  }
}

/** The shared resolution, its errors as the CLI reports them: a bad setting is a usage error. */
function resolveOrExplain(...args: Parameters<typeof resolveTransferConfig>) {
  try {
    return resolveTransferConfig(...args);
  } catch (error) {
    if (error instanceof ConfigError) throw usageError(error.message);
    if (error instanceof TransferMetadataError) throw new CliError(error.message);
    throw error;
  }
}

/** Refuses to start a transfer that would fail for a tool its configuration calls and that is not installed. */
export async function checkTools(config: ProcessingConfig): Promise<void> {
  const missing = await missingTools(toolsForRun(config));
  if (missing.length > 0) throw new CliError(`cannot start: ${missingToolsMessage(missing, false)}`);
}

/** Refuses, before anything starts, what cannot be a transfer: naming the path and the reason. */
async function checkSource(source: string): Promise<void> {
  const info = await stat(source).catch(() => null);
  if (!info) throw new CliError(`${source}: no such file or folder`);
  await access(source, constants.R_OK).catch(() => {
    throw new CliError(`${source}: not readable`);
  });
  if (info.isFile()) {
    if (info.size === 0) throw new CliError(`${source}: the file is empty`);
    return;
  }
  if (!info.isDirectory()) throw new CliError(`${source}: not a file or folder`);
  for await (const entry of walk(source)) {
    if (entry.dirent.isFile()) {
      const readable = await access(entry.abs, constants.R_OK).then(
        () => true,
        () => false,
      );
      if (!readable) throw new CliError(`${entry.abs}: not readable`);
      return;
    }
  }
  throw new CliError(`${source}: the folder holds no files`);
}

/** The transfer's name: the folder's or package's name without its archive extension. */
export function transferName(source: string): string {
  const base = path.basename(source);
  const ext = PACKAGE_EXTENSIONS.find((e) => base.toLowerCase().endsWith(e));
  return ext ? base.slice(0, -ext.length) || base : base;
}

/**
 * The runtime a run or a resume follows to its end, its progress shown as it goes: on stdout, or on
 * stderr with --json (stdout then holds the one JSON line of the result).
 */
export async function openFollowedRuntime(io: CliIo, values: { json?: boolean; out?: string }) {
  const json = values.json ?? false;
  const progress = new Progress(json ? (io.stderr as CliIo["stdout"]) : io.stdout, true);
  const rt = await openCliRuntime(io, {
    ...(values.out ? { out: values.out } : {}),
    jobTimeouts: jobTimeoutsOf(io),
    onTransition: progress.onTransition,
  });
  return { json, progress, rt };
}
