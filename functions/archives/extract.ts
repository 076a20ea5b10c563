import { createReadStream } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { ExtractBudget, resolveLimits } from "./budget.ts";
import { detectArchive } from "./detect.ts";
import { ArchiveError, asArchiveError } from "./errors.ts";
import { extractWithSevenZip } from "./extract-7z.ts";
import { type DecompressedStream, decompressedName, openDecompressed } from "./extract-stream.ts";
import { extractTar } from "./extract-tar.ts";
import { extractZip } from "./extract-zip.ts";
import { ExtractionSink } from "./sink.ts";
import { withStagingFolder } from "./staging.ts";
import type { ArchiveKind, ExtractOptions, ExtractResult } from "./types.ts";

/**
 * Extracts one level of an archive into destDir (nested archives are the caller's next round).
 * Everything is written into a temp folder beside destDir and renamed into place at the end, so a
 * refusal leaves nothing behind and a second run replaces the first run's destDir.
 */
export async function extractArchive(
  archivePath: string,
  destDir: string,
  options: ExtractOptions = {},
): Promise<ExtractResult> {
  const { signal } = options;
  const limits = resolveLimits(options.limits);
  signal?.throwIfAborted();
  const archive = path.resolve(archivePath);
  const target = path.resolve(destDir);
  if (archive === target || archive.startsWith(`${target}${path.sep}`)) {
    throw new ArchiveError(
      "unsupported",
      archive,
      `the destination folder ${path.basename(target)} holds the archive`,
    );
  }
  const stat = await fs.stat(archive).catch((error: NodeJS.ErrnoException) => {
    throw new ArchiveError("corrupt", archive, `cannot be read (${error.code ?? error.message})`);
  });
  if (!stat.isFile()) throw new ArchiveError("unsupported", archive, "not a regular file");
  const kind = await detectArchive(archive);
  if (kind === null)
    throw new ArchiveError("unsupported", archive, "not a zip, tar, gz, bz2, xz or 7z archive");

  return withStagingFolder(target, async (staging) => {
    const budget = new ExtractBudget(limits, archive, stat.size);
    try {
      return await extractKind(kind, archive, staging, budget, signal);
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      throw asArchiveError(error, archive);
    }
  });
}

async function extractKind(
  kind: ArchiveKind,
  archive: string,
  staging: string,
  budget: ExtractBudget,
  signal: AbortSignal | undefined,
): Promise<ExtractResult> {
  if (kind === "7z") return { kind, ...(await extractWithSevenZip(archive, staging, "7z", budget, signal)) };
  const sink = new ExtractionSink(staging, archive, budget, signal);
  if (kind === "zip") {
    if ((await extractZip(archive, sink)) === "needs-7za") {
      return { kind, ...(await extractWithSevenZip(archive, staging, "zip", budget, signal)) };
    }
    return sink.result(kind);
  }
  if (kind === "tar") {
    await extractTar(createReadStream(archive), sink, archive);
    return sink.result(kind);
  }
  const compression = kind.startsWith("tar.") ? kind.slice(4) : kind;
  const decompressed = await openDecompressed(archive, compression as "gz" | "bz2" | "xz", signal);
  await withDecompressor(decompressed, () =>
    kind.startsWith("tar.")
      ? extractTar(decompressed.stream, sink, archive)
      : sink.file(decompressedName(archive), decompressed.stream),
  );
  return sink.result(kind);
}

/** When reading fails, the decompressor's own complaint (e.g. 7za's "Data Error") is the better reason. */
async function withDecompressor(decompressed: DecompressedStream, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    decompressed.stop();
    if (error instanceof ArchiveError && error.code !== "corrupt") throw error;
    await decompressed.finished();
    throw error;
  }
  await decompressed.finished();
}
