import { ExifTool } from "exiftool-vendored";

/**
 * One persistent ExifTool process per worker (exiftool -stay_open), started on first use and shared
 * by every task of this process; closed by closeExifTool() when the worker pool stops.
 */
let shared: ExifTool | null = null;

function exiftool(): ExifTool {
  shared ??= new ExifTool({ maxProcs: 1, taskTimeoutMillis: 60_000 });
  return shared;
}

/** Tags that describe the working copy (name, folder, dates, permissions), not the object: left out. */
const WORKING_COPY_TAGS = ["SourceFile", "errors"];

/** ExifTool's tags for a file (no File System group, so the output does not depend on where or when). */
export async function readExifTags(file: string): Promise<Record<string, unknown>> {
  const raw = (await exiftool().readRaw(file, { readArgs: ["--System:all"] })) as Record<string, unknown>;
  const tags: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (WORKING_COPY_TAGS.includes(key)) continue;
    if (key === "warnings" && Array.isArray(value) && value.length === 0) continue;
    tags[key] = value;
  }
  return tags;
}

export async function exiftoolVersion(): Promise<string> {
  return exiftool().version();
}

/** Ends the shared process (idempotent); the next use starts a new one. */
export async function closeExifTool(): Promise<void> {
  const current = shared;
  shared = null;
  if (current) await current.end();
}
