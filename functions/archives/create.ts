import { createWriteStream } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";
import { ArchiveError } from "./errors.ts";
import { sevenZipReason, spawnSevenZip } from "./seven-zip.ts";
import type { CreateKind, CreateOptions } from "./types.ts";
import { type SourceEntry, walkSource } from "./walk.ts";
import { tarStream } from "./write-tar.ts";
import { writeZip } from "./write-zip.ts";

/**
 * Packs srcDir's contents (paths relative to srcDir, sorted) into outFile. Written to
 * `outFile.partial` and renamed, so outFile is either absent, the previous version or complete.
 * With a fixed `mtime`, zip and tar.gz outputs are byte-identical across runs; 7z stores no times
 * at all (-mtm/-mtc/-mta off), so it is byte-identical whatever the mtime.
 */
export async function createArchive(
  srcDir: string,
  outFile: string,
  kind: CreateKind,
  options: CreateOptions = {},
): Promise<void> {
  const level = options.level ?? (kind === "7z" ? 5 : 6);
  if (!Number.isInteger(level) || level < 0 || level > 9)
    throw new RangeError("level must be an integer 0–9");
  const source = path.resolve(srcDir);
  const target = path.resolve(outFile);
  if (target.startsWith(`${source}${path.sep}`)) {
    throw new ArchiveError("unsupported", target, `the output would be inside the folder being archived`);
  }
  const partial = `${target}.partial`;
  await fs.mkdir(path.dirname(target), { recursive: true });
  await fs.rm(partial, { force: true });
  try {
    const stat = await fs.stat(source);
    if (!stat.isDirectory())
      throw new ArchiveError("unsupported", target, `${path.basename(source)} is not a folder`);
    const entries = await walkSource(source, target);
    if (kind === "zip") await writeZipFile(partial, entries, target, level, options.mtime);
    else if (kind === "tar.gz") await writeTarGz(partial, entries, target, level, options);
    else if (kind === "7z") await writeSevenZip(source, partial, entries, target, level, options.signal);
    else throw new ArchiveError("unsupported", target, `unknown archive kind ${String(kind)}`);
    await fs.rename(partial, target);
  } catch (error) {
    await fs.rm(partial, { force: true });
    await fs.rm(`${partial}.list`, { force: true });
    if (options.signal?.aborted) throw options.signal.reason;
    if (error instanceof ArchiveError || error instanceof RangeError) throw error;
    throw new ArchiveError("unsupported", target, `cannot create: ${(error as Error).message}`, undefined, {
      cause: error,
    });
  }
}

async function writeZipFile(
  partial: string,
  entries: SourceEntry[],
  outFile: string,
  level: number,
  mtime?: Date,
) {
  const handle = await fs.open(partial, "wx");
  try {
    await writeZip(handle, entries, outFile, level, mtime);
  } finally {
    await handle.close();
  }
}

async function writeTarGz(
  partial: string,
  entries: SourceEntry[],
  outFile: string,
  level: number,
  options: CreateOptions,
) {
  await pipeline(
    Readable.from(tarStream(entries, outFile, options.mtime)),
    zlib.createGzip({ level }),
    createWriteStream(partial, { flags: "wx" }),
    ...(options.signal ? [{ signal: options.signal }] : []),
  );
}

/**
 * 7za adds what a list file names (UTF-8, one top-level name a line, cwd = srcDir; folders are
 * recursed by 7za). Thread count is fixed because LZMA2's block split depends on it.
 */
async function writeSevenZip(
  source: string,
  partial: string,
  entries: SourceEntry[],
  outFile: string,
  level: number,
  signal?: AbortSignal,
) {
  const topLevel = entries.filter((entry) => !entry.path.includes("/")).map((entry) => entry.path);
  const awkward = entries.find((entry) => /[\r\n]/.test(entry.path));
  if (awkward)
    throw new ArchiveError(
      "unsupported",
      outFile,
      "7z list files cannot hold a name with a line break",
      awkward.path,
    );
  const listFile = `${partial}.list`;
  await fs.writeFile(listFile, topLevel.map((name) => `${name}\n`).join(""), "utf8");
  try {
    if (topLevel.length === 0)
      throw new ArchiveError("unsupported", outFile, "7z cannot store an empty folder");
    const args = ["a", "-t7z", `-mx=${level}`, "-mtm=off", "-mtc=off", "-mta=off", "-mmt=2", "-bd", "-y"];
    const { child, done } = await spawnSevenZip([...args, "-scsUTF-8", partial, `@${listFile}`], {
      cwd: source,
      signal,
    });
    child.stdout?.resume();
    const { code, stderr } = await done;
    if (code !== 0)
      throw new ArchiveError("unsupported", outFile, `7za failed: ${sevenZipReason(stderr, code)}`);
  } finally {
    await fs.rm(listFile, { force: true });
  }
}
