import { createWriteStream } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import { type Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ExtractBudget } from "./budget.ts";
import { crc32 } from "./crc32.ts";
import { checkSymlinkTarget, safeEntryPath } from "./entry-path.ts";
import { EntryPlanner } from "./entry-planner.ts";
import { ArchiveError, asArchiveError } from "./errors.ts";
import type { ArchiveKind, ExtractedEntry, ExtractResult } from "./types.ts";

export interface FileWriteOptions {
  mtime?: Date;
  executable?: boolean;
  /** Size the archive's index claims; more bytes than this is a bomb, fewer is corruption. */
  declaredSize?: number;
  /** CRC-32 the archive claims (zip); checked after writing. */
  expectedCrc?: number;
}

/**
 * Writes entries into the staging root: every path goes through the planner (safe, deterministic
 * names), every byte through the budget. Files are created with O_EXCL after removing a duplicate,
 * so a write never follows a link left by an earlier entry.
 */
export class ExtractionSink {
  readonly planner: EntryPlanner;
  private readonly files = new Map<string, ExtractedEntry>();
  private readonly links = new Map<string, string>();

  constructor(
    private readonly root: string,
    private readonly archive: string,
    readonly budget: ExtractBudget,
    private readonly signal?: AbortSignal,
  ) {
    this.planner = new EntryPlanner(archive);
  }

  async directory(entryPath: string): Promise<void> {
    this.budget.addEntry(entryPath);
    const { actual } = this.planner.place(entryPath, "dir");
    await fs.mkdir(this.absolute(actual), { recursive: true });
  }

  async file(entryPath: string, source: Readable, options: FileWriteOptions = {}): Promise<void> {
    this.budget.addEntry(entryPath);
    const actual = await this.prepare(entryPath, "file");
    const { budget, archive } = this;
    let size = 0;
    let crc = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        try {
          size += chunk.length;
          if (options.declaredSize !== undefined && size > options.declaredSize) {
            throw new ArchiveError(
              "bomb",
              archive,
              `expands beyond its declared ${options.declaredSize} bytes`,
              entryPath,
            );
          }
          budget.addBytes(chunk.length, entryPath);
          if (options.expectedCrc !== undefined) crc = crc32(chunk, crc);
          callback(null, chunk);
        } catch (error) {
          callback(error as Error);
        }
      },
    });
    const mode = options.executable ? 0o755 : 0o644;
    try {
      await pipeline(source, counter, createWriteStream(this.absolute(actual), { flags: "wx", mode }), {
        signal: this.signal,
      });
    } catch (error) {
      if (this.signal?.aborted) throw error;
      throw asArchiveError(error, archive, entryPath);
    }
    if (options.declaredSize !== undefined && size !== options.declaredSize) {
      throw new ArchiveError(
        "corrupt",
        archive,
        `${size} bytes where ${options.declaredSize} were declared`,
        entryPath,
      );
    }
    if (options.expectedCrc !== undefined && crc !== options.expectedCrc >>> 0) {
      throw new ArchiveError("corrupt", archive, "CRC-32 mismatch", entryPath);
    }
    if (options.mtime && !Number.isNaN(options.mtime.getTime())) {
      await fs.utimes(this.absolute(actual), options.mtime, options.mtime);
    }
    this.files.set(actual, { path: actual, size, ...(options.mtime ? { mtime: options.mtime } : {}) });
  }

  async symlink(entryPath: string, target: string): Promise<void> {
    this.budget.addEntry(entryPath);
    checkSymlinkTarget(entryPath, target, this.archive);
    const actual = await this.prepare(entryPath, "symlink");
    await fs.symlink(target, this.absolute(actual));
    this.links.set(actual, target);
  }

  /** A tar hard link becomes a copy of the earlier file (counted again against the limits). */
  async hardlink(entryPath: string, rawTarget: string): Promise<void> {
    this.budget.addEntry(entryPath);
    let targetPath: string | null;
    try {
      targetPath = safeEntryPath(rawTarget, this.archive);
    } catch {
      throw new ArchiveError(
        "link-escape",
        this.archive,
        `hard link to ${rawTarget} outside the archive`,
        entryPath,
      );
    }
    const target = targetPath === null ? undefined : this.planner.lookup(targetPath);
    const targetEntry = target && target.kind === "file" ? this.files.get(target.actual) : undefined;
    if (!target || !targetEntry) {
      throw new ArchiveError(
        "link-escape",
        this.archive,
        `hard link to ${rawTarget}, not an earlier file`,
        entryPath,
      );
    }
    this.budget.addBytes(targetEntry.size, entryPath);
    const actual = await this.prepare(entryPath, "file");
    await fs.copyFile(this.absolute(target.actual), this.absolute(actual), fs.constants.COPYFILE_EXCL);
    this.files.set(actual, { ...targetEntry, path: actual });
  }

  result(kind: ArchiveKind): ExtractResult {
    const byPath = (a: { path: string }, b: { path: string }) =>
      a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
    return {
      kind,
      entries: [...this.files.values()].sort(byPath),
      totalBytes: this.budget.totalBytes,
      symlinks: [...this.links].map(([linkPath, target]) => ({ path: linkPath, target })).sort(byPath),
      renamed: [...this.planner.renamed],
    };
  }

  private async prepare(entryPath: string, kind: "file" | "symlink"): Promise<string> {
    const { actual, replaces } = this.planner.place(entryPath, kind);
    const absolute = this.absolute(actual);
    await fs.mkdir(path.dirname(absolute), { recursive: true });
    if (replaces) {
      await fs.rm(absolute, { force: true });
      this.files.delete(actual);
      this.links.delete(actual);
    }
    return actual;
  }

  private absolute(actual: string): string {
    return path.join(this.root, ...actual.split("/"));
  }
}
