import { createReadStream } from "node:fs";
import type { Readable } from "node:stream";
import { Parser, type ReadEntry } from "tar";
import yauzl, { type Entry, type ZipFile } from "yauzl";
import { detectArchive } from "./detect.ts";
import { ArchiveError, asArchiveError } from "./errors.ts";
import { decompressedName, openDecompressed } from "./extract-stream.ts";
import { parseAttributes, readListing } from "./list-7z.ts";
import type { ListedEntry } from "./types.ts";

/** What an archive holds, as its index says (raw names, declared sizes); writes nothing. For tools and tests. */
export async function listArchive(file: string): Promise<ListedEntry[]> {
  const kind = await detectArchive(file);
  if (kind === null) throw new ArchiveError("unsupported", file, "not a zip, tar, gz, bz2, xz or 7z archive");
  try {
    if (kind === "zip") return await listZip(file);
    if (kind === "7z") {
      const entries: ListedEntry[] = [];
      await readListing(file, "7z", undefined, (block) => {
        const type = parseAttributes(block, file);
        entries.push({ path: block.path, type: type === "dir" ? "directory" : type, size: block.size });
      });
      return entries;
    }
    if (kind === "tar") return await listTar(createReadStream(file));
    const decompressed = await openDecompressed(file, kind.replace("tar.", "") as "gz" | "bz2" | "xz");
    if (kind.startsWith("tar.")) {
      const entries = await listTar(decompressed.stream);
      await decompressed.finished();
      return entries;
    }
    let size = 0;
    for await (const chunk of decompressed.stream) size += (chunk as Buffer).length;
    await decompressed.finished();
    return [{ path: decompressedName(file), type: "file", size }];
  } catch (error) {
    throw asArchiveError(error, file);
  }
}

function listZip(file: string): Promise<ListedEntry[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: false, validateEntrySizes: false }, (error, zipfile: ZipFile) => {
      if (error) return reject(error);
      const entries: ListedEntry[] = [];
      zipfile.on("entry", (entry: Entry) => {
        const format = ((entry.externalFileAttributes >>> 16) & 0o170000) >>> 0;
        const type = format === 0o120000 ? "symlink" : entry.fileName.endsWith("/") ? "directory" : "file";
        entries.push({ path: entry.fileName, type, size: entry.uncompressedSize });
      });
      zipfile.on("end", () => resolve(entries));
      zipfile.on("error", reject);
    });
  });
}

async function listTar(source: Readable): Promise<ListedEntry[]> {
  const entries: ListedEntry[] = [];
  const parser = new Parser({ strict: true, brotli: false, zstd: false });
  parser.on("entry", (entry: ReadEntry) => {
    const type =
      entry.type === "Directory"
        ? "directory"
        : entry.type === "SymbolicLink"
          ? "symlink"
          : entry.type === "Link"
            ? "hardlink"
            : entry.type === "File" || entry.type === "OldFile"
              ? "file"
              : "other";
    entries.push({
      path: entry.path,
      type,
      size: entry.size ?? 0,
      ...(entry.linkpath ? { linkTarget: entry.linkpath } : {}),
    });
    entry.resume();
  });
  await new Promise<void>((resolve, reject) => {
    parser.on("error", reject);
    parser.on("end", () => resolve());
    source.on("error", reject);
    source.pipe(parser as unknown as NodeJS.WritableStream);
  });
  return entries;
}
