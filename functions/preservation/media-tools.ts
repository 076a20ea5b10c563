import { execTool, hasTool } from "./exec.ts";

/** MediaInfo track fields that describe the working copy rather than the object. */
const MEDIAINFO_WORKING_COPY = new Set(["File_Modified_Date", "File_Modified_Date_Local", "FileExtension"]);

/**
 * One `mediainfo --Output=JSON` run for a whole batch; returns each file's `media` object (keyed by
 * the absolute path given), without the path and file-date fields.
 */
export async function mediainfoMany(
  files: string[],
  signal?: AbortSignal,
): Promise<{ version: string; byFile: Map<string, unknown>; failure: string | null }> {
  const byFile = new Map<string, unknown>();
  if (files.length === 0 || !(await hasTool("mediainfo"))) {
    return { version: "", byFile, failure: files.length ? "mediainfo is not installed" : null };
  }
  const result = await execTool("mediainfo", ["--Output=JSON", ...files], { signal, timeoutMs: 600_000 });
  if (result.exitCode !== 0)
    return { version: "", byFile, failure: result.stderr.trim() || `exit ${result.exitCode}` };
  const parsed = JSON.parse(result.stdout) as unknown;
  const reports = (Array.isArray(parsed) ? parsed : [parsed]) as Array<{
    creatingLibrary?: { version?: string };
    media?: { "@ref"?: string; track?: Array<Record<string, unknown>> } | null;
  }>;
  let version = "";
  for (const report of reports) {
    version = report.creatingLibrary?.version ?? version;
    const media = report.media;
    if (!media?.["@ref"]) continue;
    const tracks = (media.track ?? []).map((track) =>
      Object.fromEntries(Object.entries(track).filter(([k]) => !MEDIAINFO_WORKING_COPY.has(k))),
    );
    byFile.set(media["@ref"], { track: tracks });
  }
  return { version, byFile, failure: null };
}

/** ffprobe's format and streams for one file (ffprobe takes one input per run), without the file name. */
export async function ffprobe(file: string, signal?: AbortSignal): Promise<Record<string, unknown>> {
  const result = await execTool(
    "ffprobe",
    ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", "--", file],
    { signal, timeoutMs: 300_000 },
  );
  if (result.exitCode !== 0) throw new Error(result.stderr.trim() || `ffprobe exit ${result.exitCode}`);
  const parsed = JSON.parse(result.stdout) as { format?: Record<string, unknown>; streams?: unknown[] };
  const format = { ...(parsed.format ?? {}) };
  delete format.filename;
  return { format, streams: parsed.streams ?? [] };
}

let ffprobeVersionCache: Promise<string> | null = null;
export function ffprobeVersion(): Promise<string> {
  ffprobeVersionCache ??= execTool("ffprobe", ["-version"], { timeoutMs: 10_000 }).then(
    (r) => /ffprobe version (\S+)/.exec(r.stdout)?.[1] ?? "unknown",
    () => "unknown",
  );
  return ffprobeVersionCache;
}
