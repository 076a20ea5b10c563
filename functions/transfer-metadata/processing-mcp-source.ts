/**
 * Finds processingMCP.xml at a transfer's root before the transfer starts: in a folder, or in a ZIP
 * package (its root, or the one folder everything in it sits in), read through its central
 * directory, so an upload in S3 needs two small ranged reads, not a download. Other package formats
 * (tar, tar.gz, 7z…) keep their index at the start or compressed: they are not searched, and the
 * README says so.
 */
import { open, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { descriptorSource } from "../identify/file-source.ts";
import type { ByteSource } from "../identify/scan.ts";
import { ContainerError, readZipDirectory } from "../identify/zip-reader.ts";
import { TransferMetadataError } from "./errors.ts";

export const PROCESSING_MCP = "processingMCP.xml";
/** Archivematica's files are a few kilobytes; this bounds what a hostile package can make us inflate. */
const MAX_BYTES = 1 << 20;

export interface FoundProcessingMcp {
  xml: string;
  where: string;
}

/** processingMCP.xml at the root of a local folder or ZIP package; null when there is none. */
export async function processingMcpAtPath(source: string): Promise<FoundProcessingMcp | null> {
  const info = await stat(source).catch(() => null);
  if (!info) return null;
  if (info.isDirectory()) {
    const xml = await readFile(path.join(source, PROCESSING_MCP), "utf8").catch(() => null);
    return xml === null ? null : { xml, where: PROCESSING_MCP };
  }
  if (!source.toLowerCase().endsWith(".zip")) return null;
  const handle = await open(source, "r");
  try {
    return await processingMcpInZip(descriptorSource(handle.fd, info.size), path.basename(source));
  } finally {
    await handle.close();
  }
}

/** processingMCP.xml at the root of a ZIP (or of its single top folder); null when there is none. */
export async function processingMcpInZip(
  zip: ByteSource,
  packageName: string,
): Promise<FoundProcessingMcp | null> {
  let entries: Awaited<ReturnType<typeof readZipDirectory>>;
  try {
    entries = await readZipDirectory(zip);
  } catch (error) {
    if (!(error instanceof ContainerError)) throw error;
    // Not readable as a ZIP here: Extract packages reports it, with its own reasons, once staged.
    return null;
  }
  const names = [...entries.keys()];
  const tops = new Set(names.map((n) => n.split("/")[0]));
  const candidates = [PROCESSING_MCP];
  if (tops.size === 1) candidates.push(`${[...tops][0]}/${PROCESSING_MCP}`);
  const name = candidates.find((c) => entries.has(c));
  if (!name) return null;
  const where = `${packageName}: ${name}`;
  let bytes: Buffer;
  try {
    bytes = await entries.get(name)!.read(MAX_BYTES + 1);
  } catch (error) {
    throw new TransferMetadataError(`${where}: cannot be read (${(error as Error).message})`);
  }
  if (bytes.length > MAX_BYTES)
    throw new TransferMetadataError(`${where}: over ${MAX_BYTES} bytes, not a processing configuration`);
  return { xml: bytes.toString("utf8"), where };
}
