import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { DefaultExiftoolArgs, ExifTool, ExifToolTask } from "exiftool-vendored";

/**
 * Persistent ExifTool processes (exiftool -stay_open), started on first use and shared by every
 * task of this process; closed by closeExifTool() when the worker pool stops. Files are read many
 * per request: one round trip per group of files, not per file.
 */
let shared: ExifTool | null = null;

/** One ExifTool process per core a worker uses for heavy tasks. */
const PROCESSES = 2;
/**
 * Files per ExifTool request: half a task's batch (256), one request for each process. Every
 * request costs ExifTool about 4 ms of its own (10,000 small files in one process: 8.1 s in
 * requests of 32, 7.1 s in requests of 128; BENCHMARKS.md, "Waste in the tools' own runs"). A
 * request that fails is read again a file at a time.
 */
const FILES_PER_REQUEST = 128;

function exiftool(): ExifTool {
  shared ??= new ExifTool({
    maxProcs: PROCESSES,
    // batch-cluster waits 1.5 s between starting two processes by default: the second ExifTool
    // came 1.5 s into characterization, which ran on one process (one core) until then.
    minDelayBetweenSpawnMillis: 0,
    taskTimeoutMillis: 120_000,
    // -config must come first: ExifTool reads it before anything else.
    exiftoolArgs: [...configArgs(), ...DefaultExiftoolArgs],
  });
  return shared;
}

/**
 * exiftool.config beside this file: File::StatX asked for once, not once per file (10,000 small
 * files: 7.35-8.03 s against 8.06-9.35 s, the same output; BENCHMARKS.md, "Waste in the tools'
 * own runs"). Where the file is not there (a bundle of this module), ExifTool runs without it.
 */
export function exiftoolConfig(): string {
  return fileURLToPath(new URL("./exiftool.config", import.meta.url));
}

function configArgs(): string[] {
  const config = exiftoolConfig();
  return existsSync(config) ? ["-config", config] : [];
}

/** Tags that describe the working copy (name, folder, dates, permissions), not the object: left out. */
const WORKING_COPY_TAGS = ["SourceFile", "errors"];

/**
 * What characterization asks ExifTool for: JSON, without the File System group (it describes the
 * working copy), and without reading past the metadata to the end of a file (-fast).
 */
export const EXIFTOOL_READ_ARGS = ["-fast", "--System:all", "-json"];

/** Reads several files in one ExifTool request. */
class ReadManyTask extends ExifToolTask<Array<Record<string, unknown>>> {
  constructor(files: string[]) {
    super([...EXIFTOOL_READ_ARGS, ...files]);
  }
  protected parse(input: string): Array<Record<string, unknown>> {
    return input.trim() ? (JSON.parse(input) as Array<Record<string, unknown>>) : [];
  }
}

function clean(raw: Record<string, unknown>): Record<string, unknown> {
  const tags: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (WORKING_COPY_TAGS.includes(key)) continue;
    if (key === "warnings" && Array.isArray(value) && value.length === 0) continue;
    tags[key] = value;
  }
  return tags;
}

/** ExifTool's tags for one file. */
export async function readExifTags(file: string): Promise<Record<string, unknown>> {
  const raw = (await exiftool().readRaw(file, { readArgs: ["--System:all"] })) as Record<string, unknown>;
  return clean(raw);
}

/**
 * ExifTool's tags for many files, keyed by the absolute path given; a file ExifTool could not read
 * maps to an Error. Paths are absolute (never read as options) and may not hold line breaks (the
 * stay_open protocol is line based): such a file is read alone.
 */
export async function readExifTagsMany(
  files: string[],
): Promise<Map<string, Record<string, unknown> | Error>> {
  const result = new Map<string, Record<string, unknown> | Error>();
  const alone = files.filter((f) => /[\r\n]/.test(f) || !f.startsWith("/"));
  const grouped = files.filter((f) => !alone.includes(f));
  const requests: string[][] = [];
  for (let i = 0; i < grouped.length; i += FILES_PER_REQUEST)
    requests.push(grouped.slice(i, i + FILES_PER_REQUEST));
  await Promise.all(
    requests.map(async (group) => {
      try {
        const rows = await exiftool().enqueueTask(() => new ReadManyTask(group));
        const bySource = new Map(rows.map((row) => [String(row.SourceFile), row]));
        for (const file of group) {
          const row = bySource.get(file);
          if (!row) alone.push(file);
          else if (typeof row.Error === "string") result.set(file, new Error(row.Error));
          else result.set(file, clean(row));
        }
      } catch {
        alone.push(...group); // one bad file can fail a request: read the group's files one by one
      }
    }),
  );
  for (const file of alone) {
    try {
      result.set(file, await readExifTags(file));
    } catch (error) {
      result.set(file, error as Error);
    }
  }
  return result;
}

export async function exiftoolVersion(): Promise<string> {
  return exiftool().version();
}

/** Ends the shared processes (idempotent); the next use starts new ones. */
export async function closeExifTool(): Promise<void> {
  const current = shared;
  shared = null;
  if (current) await current.end();
}
