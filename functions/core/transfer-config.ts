/**
 * The one place a transfer's processing configuration is resolved, for every way a transfer starts
 * (`stepmatica run`, the dashboard, an S3 upload): the preset or configuration file, then the
 * transfer's own processingMCP.xml (Archivematica's per-transfer answers), then the starter's own
 * settings, which have the last word. What processingMCP.xml answered and what it could not is
 * returned to be kept on the unit, where status and the dashboard show it.
 */
import { type ProcessingConfig, resolveConfig } from "../../workflows/processing-config.ts";
import { readProcessingMcp } from "../transfer-metadata/processing-mcp.ts";
import type { ProcessingMcpReport } from "./model.ts";

export interface TransferConfig {
  config: ProcessingConfig;
  processingMcp: ProcessingMcpReport | null;
}

/** Throws ConfigError (a bad setting) or TransferMetadataError (an unreadable processingMCP.xml), naming it. */
export function resolveTransferConfig(
  base: unknown,
  overrides: readonly string[],
  processingMcp: { xml: string; where: string } | null,
): TransferConfig {
  if (!processingMcp) return { config: resolveConfig(base, [...overrides]), processingMcp: null };
  const read = readProcessingMcp(processingMcp.xml, processingMcp.where);
  const config = resolveConfig(base, [...read.settings, ...overrides]);
  return {
    config,
    processingMcp: {
      source: processingMcp.where,
      applied: read.askEverything ? [] : read.settings,
      notApplied: read.notApplied,
      askEverything: read.askEverything,
    },
  };
}

/** One line for a person: what the transfer's processingMCP.xml did. */
export function describeProcessingMcp(report: ProcessingMcpReport): string[] {
  const applied = report.askEverything
    ? "every decision left to an operator (empty <preconfiguredChoices/>)"
    : report.applied.join(", ") || "nothing";
  return [
    `processingMCP.xml: applied ${applied}`,
    ...report.notApplied.map((line) => `processingMCP.xml: not applied: ${line}`),
  ];
}
