import { extname } from "node:path";
import { readSmallFileInline, yieldAfterInline } from "../core/inline-fs.ts";
import { type CompiledSignatures, compileSignatures } from "./compile.ts";
import { type CompiledContainers, compileContainers, matchContainers } from "./container.ts";
import {
  bufferSource,
  closeQuietly,
  descriptorSource,
  openForReading,
  readAt,
  sizeOf,
} from "./file-source.ts";
import { comparePuids, type Hit, resolveHits, unidentified } from "./resolve.ts";
import { type ByteSource, type FileView, matchSignatures } from "./scan.ts";
import type { ContainerSignatureSet, FormatDef, Identification, SignatureSet } from "./types.ts";

export const IDENTIFY_TOOL_NAME = "stepmatica-identify";
/** 2.0.0: the official PRONOM files by default (the hand-written table is gone). */
export const IDENTIFY_TOOL_VERSION = "2.0.0";

/** Files up to this size are read in one go when some signature must scan the whole file. */
const WHOLE_FILE_LIMIT = 4 << 20;

export interface IdentifierOptions {
  /** A DROID signature file's content (the shipped one: `loadSignatureFolder()`). */
  signatures: SignatureSet;
  /** A container signature file's content; null: no look inside containers. */
  containers: ContainerSignatureSet | null;
}

export interface ToolInfo {
  name: string;
  version: string;
  /** e.g. "DROID_SignatureFile_V119.xml v119 (2024-07-08); container-signature-20240715.xml v38 (2024-07-15)". */
  signatureVersion: string;
}

export interface Identifier {
  tool: ToolInfo;
  /** Problems met while compiling signatures (a signature skipped), for logs. */
  warnings: string[];
  identify(path: string): Promise<Identification>;
  identifyMany(paths: string[], concurrency?: number): Promise<Identification[]>;
}

export function createIdentifier(options: IdentifierOptions): Identifier {
  const { signatures, containers } = options;
  const compiled = compileSignatures(signatures);
  const compiledContainers = containers ? compileContainers(containers) : null;
  const formatsByPuid = new Map<string, FormatDef>();
  const formatsByExtension = new Map<string, FormatDef[]>();
  // As DROID by default: an extension only identifies formats that have no other means of
  // identification (no byte signature, no container signature). A format with a signature that did
  // not match is not that format, whatever the file is called.
  const containerPuids = new Set(containers?.signatures.flatMap((signature) => signature.puids) ?? []);
  for (const format of signatures.formats) {
    if (!formatsByPuid.has(format.puid)) formatsByPuid.set(format.puid, format);
    if (format.signatureIds.length > 0 || containerPuids.has(format.puid)) continue;
    for (const extension of format.extensions) {
      formatsByExtension.set(extension, [...(formatsByExtension.get(extension) ?? []), format]);
    }
  }
  const context: Context = { compiled, containers: compiledContainers, formatsByPuid, formatsByExtension };
  const identify = (path: string): Promise<Identification> =>
    identifyFile(context, path).catch((error: Error) =>
      unidentified(path, `identify: ${error.message}`, "error"),
    );
  const signatureVersion = [signatures, ...(containers ? [containers] : [])]
    .map((set) => `${set.source} v${set.version}${set.date ? ` (${set.date})` : ""}`)
    .join("; ");
  return {
    tool: { name: IDENTIFY_TOOL_NAME, version: IDENTIFY_TOOL_VERSION, signatureVersion },
    warnings: [...compiled.warnings, ...(compiledContainers?.warnings ?? [])],
    identify,
    identifyMany: async (paths, concurrency = 8) => {
      const results: Identification[] = new Array(paths.length);
      let next = 0;
      const worker = async (): Promise<void> => {
        while (next < paths.length) {
          const index = next++;
          results[index] = await identify(paths[index]!);
        }
      };
      await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, paths.length)) }, worker));
      return results;
    },
  };
}

interface Context {
  compiled: CompiledSignatures;
  containers: CompiledContainers | null;
  formatsByPuid: Map<string, FormatDef>;
  formatsByExtension: Map<string, FormatDef[]>;
}

/** Read first; a file shorter than this (most of a transfer) needs no other read nor a stat. */
const HEAD_BYTES = 16 << 10;

async function identifyFile(context: Context, path: string): Promise<Identification> {
  const small = readSmallFileInline(path, HEAD_BYTES - 1);
  if (small) {
    await yieldAfterInline();
    return identifyHead(context, path, small).catch((error: unknown) => cannotRead(path, error));
  }
  let fd: number;
  try {
    fd = await openForReading(path);
  } catch (error) {
    return unidentified(
      path,
      `cannot open: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      "error",
    );
  }
  try {
    const head = await readAt(fd, 0, HEAD_BYTES);
    if (head.length < HEAD_BYTES) return await identifyHead(context, path, head);
    const { view, source } = await readView(context.compiled, descriptorSource(fd, await sizeOf(fd)));
    return await identifyView(context, path, view, source);
  } catch (error) {
    return cannotRead(path, error);
  } finally {
    closeQuietly(fd);
  }
}

function cannotRead(path: string, error: unknown): Identification {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === "EISDIR") return unidentified(path, "not a regular file", "error");
  return unidentified(path, `cannot read: ${code ?? (error as Error).message}`, "error");
}

/** A file shorter than HEAD_BYTES, read whole. */
function identifyHead(context: Context, path: string, head: Buffer): Promise<Identification> {
  if (head.length === 0) return Promise.resolve(unidentified(path, "empty file"));
  const view: FileView = { size: head.length, bof: head, eof: head, whole: true };
  return identifyView(context, path, view, bufferSource(head));
}

/** Reads what the signatures can reach: the whole file when small, else a BOF and an EOF window. */
async function readView(
  compiled: CompiledSignatures,
  file: ByteSource,
): Promise<{ view: FileView; source: ByteSource }> {
  const windows = compiled.bofWindow + compiled.eofWindow;
  if (file.size <= windows || (compiled.hasUnbounded && file.size <= WHOLE_FILE_LIMIT)) {
    const whole = await file.read(0, file.size);
    return { view: { size: whole.length, bof: whole, eof: whole, whole: true }, source: bufferSource(whole) };
  }
  const bof = await file.read(0, Math.min(file.size, compiled.bofWindow));
  const eofLength = Math.min(file.size, compiled.eofWindow);
  const eof = await file.read(file.size - eofLength, eofLength);
  return { view: { size: file.size, bof, eof, whole: false }, source: file };
}

async function identifyView(
  context: Context,
  path: string,
  view: FileView,
  source: ByteSource,
): Promise<Identification> {
  const matched = await matchSignatures(context.compiled, view, source);
  const hits: Hit[] = matched.flatMap((signature) =>
    signature.formats.map((format) => ({
      puid: format.puid,
      format,
      weight: signature.weight,
      source: `signature ${signature.id}`,
    })),
  );
  const containerHits = await containerMatches(context, hits, source);
  if (containerHits.length > 0) return resolveHits(path, containerHits, "container");
  if (hits.length > 0) return resolveHits(path, hits, "signature");
  return byExtension(context, path);
}

async function containerMatches(context: Context, hits: Hit[], source: ByteSource): Promise<Hit[]> {
  if (!context.containers) return [];
  const types = new Set(hits.flatMap((hit) => context.containers!.triggers.get(hit.puid) ?? []));
  const found: Hit[] = [];
  for (const type of types) {
    let matched: Awaited<ReturnType<typeof matchContainers>>;
    try {
      matched = await matchContainers(context.containers, type, source);
    } catch {
      // A damaged container keeps its byte-signature identification.
      continue;
    }
    for (const container of matched) {
      for (const puid of container.definition.puids) {
        found.push({
          puid,
          format: context.formatsByPuid.get(puid) ?? null,
          weight: container.weight,
          source: `container signature ${container.definition.id}`,
        });
      }
    }
  }
  return found;
}

/** No signature matched: the formats without signatures that declare the extension. */
function byExtension(context: Context, path: string): Identification {
  const extension = extname(path).slice(1).toLowerCase();
  const formats = extension ? (context.formatsByExtension.get(extension) ?? []) : [];
  if (formats.length === 0) return unidentified(path);
  const hits = formats.map((format) => ({
    puid: format.puid,
    format,
    weight: 0,
    source: `extension .${extension}`,
  }));
  hits.sort((a, b) => comparePuids(a.puid, b.puid));
  return resolveHits(path, hits, "extension");
}
