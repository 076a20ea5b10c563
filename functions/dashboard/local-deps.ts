import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { ConfigError, PRESETS } from "../../workflows/processing-config.ts";
import { transferName } from "../cli/commands/run.ts";
import { followToEnd } from "../cli/follow.ts";
import { type Runtime, STALE_AFTER_MS } from "../cli/runtime.ts";
import type { AipRecord } from "../core/model.ts";
import { startTransfer } from "../core/start-transfer.ts";
import { resolveTransferConfig } from "../core/transfer-config.ts";
import { missingTools, missingToolsMessage, toolsForRun } from "../tools/preflight.ts";
import { TransferMetadataError } from "../transfer-metadata/errors.ts";
import { processingMcpAtPath } from "../transfer-metadata/processing-mcp-source.ts";
import { type AipDownload, ApiError, type DashboardDeps, type StartTransferInput } from "./types.ts";

/** An AIP on this machine: a compressed AIP is one file to send; a folder AIP is shown by its path. */
export async function localAipDownload(aip: AipRecord): Promise<AipDownload> {
  if (aip.location.startsWith("s3://"))
    return { kind: "unavailable", reason: `the AIP is in S3 (${aip.location}), not on this machine` };
  const info = await stat(aip.location).catch(() => null);
  if (!info) return { kind: "unavailable", reason: `the AIP is no longer at ${aip.location}` };
  if (info.isDirectory())
    return {
      kind: "unavailable",
      reason: `the AIP is an uncompressed folder at ${aip.location}: open it there (aip_compression=none)`,
    };
  return { kind: "file", path: aip.location, size: info.size, name: path.basename(aip.location) };
}

/** Checks a path before a transfer starts, so the answer names what is wrong at once. */
async function checkPath(source: string): Promise<void> {
  if (!path.isAbsolute(source)) throw new ApiError(400, `${source}: give an absolute path on the server`);
  const info = await stat(source).catch(() => null);
  if (!info) throw new ApiError(400, `${source}: no such file or folder`);
  await access(source, constants.R_OK).catch(() => {
    throw new ApiError(400, `${source}: not readable`);
  });
  if (!info.isFile() && !info.isDirectory()) throw new ApiError(400, `${source}: not a file or folder`);
  if (info.isFile() && info.size === 0) throw new ApiError(400, `${source}: the file is empty`);
}

/**
 * The dashboard's view of the embedded runtime: transfers started from the page run in this
 * process (its workers), exactly as `stepmatica run` would run them.
 */
export function localDashboardDeps(rt: Runtime, log: (line: string) => void): DashboardDeps {
  return {
    engine: rt.engine,
    store: rt.store,
    aipDownload: localAipDownload,
    staleAfterMs: STALE_AFTER_MS,
    transfers: {
      kind: "local-path",
      async start(input: StartTransferInput) {
        const source = path.resolve(input.path);
        await checkPath(source);
        // The same resolution as `stepmatica run`: preset, the transfer's processingMCP.xml, then `set`.
        let resolved: ReturnType<typeof resolveTransferConfig>;
        try {
          resolved = resolveTransferConfig(
            PRESETS[input.preset ?? "default"],
            input.set ?? [],
            await processingMcpAtPath(source),
          );
        } catch (error) {
          if (error instanceof ConfigError || error instanceof TransferMetadataError)
            throw new ApiError(400, error.message);
          throw error;
        }
        const { config, processingMcp } = resolved;
        const missing = await missingTools(toolsForRun(config));
        if (missing.length > 0)
          throw new ApiError(400, `cannot start: ${missingToolsMessage(missing, false)}`);
        const started = await startTransfer(rt, {
          name: input.name?.trim() || transferName(source),
          source: pathToFileURL(source).href,
          config,
          // Kept on the unit: its status and the dashboard say what processingMCP.xml did and did not.
          ...(processingMcp ? { options: { processingMcp } } : {}),
        });
        followToEnd(rt, started.unit.id).then(
          (summary) =>
            log(`transfer ${summary.id}: ${summary.status}${summary.reason ? ` (${summary.reason})` : ""}`),
          (error) => log(`transfer ${started.unit.id}: ${(error as Error).message}`),
        );
        return { id: started.unit.id };
      },
    },
  };
}
