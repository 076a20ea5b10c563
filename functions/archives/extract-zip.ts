import type { Readable } from "node:stream";
import yauzl, { type Entry, type ZipFile } from "yauzl";
import { safeEntryPath } from "./entry-path.ts";
import { EntryPlanner } from "./entry-planner.ts";
import { ArchiveError, asArchiveError } from "./errors.ts";
import type { ExtractionSink } from "./sink.ts";

type ZipEntryType = "file" | "dir" | "symlink";

const S_IFMT = 0o170000;
const UNIX_HOSTS = new Set([3, 19]); // Unix, OS X: external attributes carry st_mode

/**
 * Extracts a zip with yauzl in two passes over the central directory: the first validates every
 * name, type and declared size before anything is written; the second streams the data, counting
 * real bytes (declared sizes are only trusted to refuse early, never to allow).
 * Returns "needs-7za" when an entry uses a method yauzl cannot decode (deflate64, bzip2, LZMA…).
 */
export async function extractZip(file: string, sink: ExtractionSink): Promise<"done" | "needs-7za"> {
  const archive = file;
  const dryRun = new EntryPlanner(archive);
  let declaredBytes = 0;
  let entryCount = 0;
  let needsSevenZip = false;
  await forEachEntry(file, async (entry) => {
    entryCount++;
    const { entryPath, type } = classify(entry, archive);
    if (entryPath === null) return;
    if (entry.isEncrypted())
      throw new ArchiveError("unsupported", archive, "encrypted entry", entry.fileName);
    if (entry.compressionMethod !== 0 && entry.compressionMethod !== 8) needsSevenZip = true;
    dryRun.place(entryPath, type);
    declaredBytes += entry.uncompressedSize;
  });
  sink.budget.checkDeclared(entryCount, declaredBytes);
  if (needsSevenZip) return "needs-7za";

  await forEachEntry(file, async (entry, zipfile) => {
    const { entryPath, type } = classify(entry, archive);
    if (entryPath === null) return;
    if (type === "dir") return sink.directory(entryPath);
    const stream = await openStream(zipfile, entry, archive);
    if (type === "symlink") return sink.symlink(entryPath, await readLinkTarget(stream, archive, entryPath));
    const mode = unixMode(entry);
    await sink.file(entryPath, stream, {
      mtime: entry.getLastModDate(),
      executable: (mode & 0o100) !== 0,
      declaredSize: entry.uncompressedSize,
      expectedCrc: entry.crc32,
    });
  });
  return "done";
}

function unixMode(entry: Entry): number {
  return UNIX_HOSTS.has(entry.versionMadeBy >> 8) ? (entry.externalFileAttributes >>> 16) & 0xffff : 0;
}

function classify(entry: Entry, archive: string): { entryPath: string | null; type: ZipEntryType } {
  const entryPath = safeEntryPath(entry.fileName, archive);
  const format = unixMode(entry) & S_IFMT;
  if (format === 0o120000) return { entryPath, type: "symlink" };
  if (format !== 0 && format !== 0o100000 && format !== 0o040000) {
    throw new ArchiveError(
      "special-file",
      archive,
      `file type ${format.toString(8)} (device, FIFO or socket)`,
      entry.fileName,
    );
  }
  const isDir = format === 0o040000 || entry.fileName.endsWith("/") || entry.fileName.endsWith("\\");
  return { entryPath, type: isDir ? "dir" : "file" };
}

async function forEachEntry(
  file: string,
  visit: (entry: Entry, zipfile: ZipFile) => Promise<void>,
): Promise<void> {
  const zipfile = await new Promise<ZipFile>((resolve, reject) => {
    yauzl.open(
      file,
      {
        lazyEntries: true,
        autoClose: false,
        validateEntrySizes: false,
        decodeStrings: true,
        strictFileNames: false,
      },
      (error, opened) => (error ? reject(translateYauzlError(error, file)) : resolve(opened)),
    );
  });
  try {
    await new Promise<void>((resolve, reject) => {
      zipfile.on("entry", (entry: Entry) => {
        visit(entry, zipfile).then(
          () => zipfile.readEntry(),
          (error: unknown) => reject(error),
        );
      });
      zipfile.on("end", () => resolve());
      zipfile.on("error", (error: Error) => reject(translateYauzlError(error, file)));
      zipfile.readEntry();
    });
  } finally {
    zipfile.close();
  }
}

function openStream(zipfile: ZipFile, entry: Entry, archive: string): Promise<Readable> {
  return new Promise((resolve, reject) => {
    zipfile.openReadStream(entry, (error, stream) =>
      error ? reject(asArchiveError(error, archive, entry.fileName)) : resolve(stream),
    );
  });
}

async function readLinkTarget(stream: Readable, archive: string, entryPath: string): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream) {
    total += (chunk as Buffer).length;
    if (total > 4096) {
      stream.destroy();
      throw new ArchiveError(
        "link-escape",
        archive,
        "symbolic link target longer than 4096 bytes",
        entryPath,
      );
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** yauzl reports unsafe names as plain errors; give them their proper code. */
function translateYauzlError(error: Error, archive: string): ArchiveError {
  const match = /^(absolute path|invalid relative path|invalid characters in fileName): (.*)$/s.exec(
    error.message,
  );
  if (match) return new ArchiveError("unsafe-path", archive, match[1]!, match[2]);
  return asArchiveError(error, archive);
}
