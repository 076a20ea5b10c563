import type { Readable } from "node:stream";
import { Parser, type ReadEntry } from "tar";
import { safeEntryPath } from "./entry-path.ts";
import { ArchiveError, asArchiveError } from "./errors.ts";
import type { ExtractionSink } from "./sink.ts";

const FILE_TYPES = new Set(["File", "OldFile", "ContiguousFile"]);
const DIR_TYPES = new Set(["Directory", "GNUDumpDir"]);
const SPECIAL_TYPES = new Set(["CharacterDevice", "BlockDevice", "FIFO"]);

/**
 * Streams an uncompressed tar through node-tar's parser (headers, pax and GNU long names) and
 * writes entries one after another through the sink. Backpressure holds: the parser refuses more
 * input while an entry waits to be written, so memory stays bounded whatever the archive's size.
 */
export async function extractTar(source: Readable, sink: ExtractionSink, archive: string): Promise<void> {
  const parser = new Parser({ strict: true, brotli: false, zstd: false, maxMetaEntrySize: 1024 * 1024 });
  let failure: unknown;
  let rejectFailed: (error: unknown) => void = () => undefined;
  const failed = new Promise<never>((_resolve, reject) => {
    rejectFailed = reject;
  });
  failed.catch(() => undefined);
  let current: ReadEntry | undefined;
  const fail = (error: unknown) => {
    if (failure !== undefined) return;
    failure = error;
    rejectFailed(error);
    source.destroy();
    // the entry being written would otherwise wait forever for data that will not come
    if (current !== undefined) {
      current.on("error", () => undefined);
      current.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  };
  let chain: Promise<void> = Promise.resolve();
  parser.on("entry", (entry: ReadEntry) => {
    chain = chain.then(async () => {
      if (failure !== undefined) return void entry.resume();
      current = entry;
      await writeEntry(entry, sink, archive).catch((error: unknown) => {
        entry.resume();
        fail(error);
      });
      current = undefined;
    });
  });
  parser.on("error", (error: Error) => fail(new ArchiveError("corrupt", archive, tarReason(error))));
  const ended = new Promise<void>((resolve) => parser.on("end", () => resolve()));

  let tail = Buffer.alloc(0);
  try {
    for await (const chunk of source) {
      if (failure !== undefined) break;
      tail = Buffer.concat([tail, chunk as Buffer]).subarray(-512);
      if (!parser.write(chunk as Buffer)) {
        await Promise.race([new Promise((resolve) => parser.once("drain", resolve)), failed]);
      }
    }
  } catch (error) {
    fail(failure ?? asArchiveError(error, archive));
  }
  if (failure === undefined) parser.end();
  await Promise.race([ended, failed]).catch(() => undefined);
  await chain;
  if (failure !== undefined) throw failure;
  if (tail.length < 512 || tail.some((byte) => byte !== 0)) {
    throw new ArchiveError("corrupt", archive, "truncated: no end-of-archive block");
  }
}

async function writeEntry(entry: ReadEntry, sink: ExtractionSink, archive: string): Promise<void> {
  const rawPath = entry.path;
  const type = entry.type;
  if (SPECIAL_TYPES.has(type)) {
    throw new ArchiveError("special-file", archive, `${type} entries are not extracted`, rawPath);
  }
  const entryPath = safeEntryPath(rawPath, archive);
  if (entryPath === null) return void entry.resume();
  if (DIR_TYPES.has(type)) {
    entry.resume();
    return sink.directory(entryPath);
  }
  if (type === "SymbolicLink") {
    entry.resume();
    return sink.symlink(entryPath, entry.linkpath ?? "");
  }
  if (type === "Link") {
    entry.resume();
    return sink.hardlink(entryPath, entry.linkpath ?? "");
  }
  if (!FILE_TYPES.has(type)) {
    throw new ArchiveError("unsupported", archive, `tar entry type ${type}`, rawPath);
  }
  await sink.file(entryPath, entry as unknown as Readable, {
    ...(entry.mtime ? { mtime: entry.mtime } : {}),
    executable: ((entry.mode ?? 0) & 0o100) !== 0,
    declaredSize: entry.size ?? 0,
  });
}

function tarReason(error: Error): string {
  return error.message.replace(/^TAR_[A-Z_]+: /, "");
}
