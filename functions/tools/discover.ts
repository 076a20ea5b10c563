import { constants } from "node:fs";
import { access, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { sevenZipPath } from "../archives/seven-zip.ts";
import { runTool } from "./run-tool.ts";

/**
 * Where the external tools are and which versions they are. Task modules call requireTool before
 * they start work, so a missing tool is a clear error naming the package to install, never a
 * silent pass; `stepmatica doctor` lists them all.
 */

export const INSTALL_SCRIPT = "functions/worker/install-tools.sh";

export interface ToolSpec {
  name: string;
  /** What stepmatica uses it for. */
  purpose: string;
  /** Where it comes from: a Debian package or an npm dependency. */
  source: string;
  /** doctor exits 1 when a required tool is missing. */
  required: boolean;
  /** Absolute path, or null when not installed. */
  locate(): Promise<string | null>;
  /** Version text from the tool (its first meaningful line, trimmed). */
  version(executable: string): Promise<string>;
}

export interface ToolStatus {
  name: string;
  purpose: string;
  source: string;
  required: boolean;
  path: string | null;
  version: string | null;
  /** Why the version could not be read, when the tool is there but did not answer. */
  problem?: string;
}

/** A tool a task needs is not installed: names the tool and how to install it. */
export class ToolMissingError extends Error {
  override name = "ToolMissingError";
  constructor(
    readonly tool: string,
    readonly source: string,
  ) {
    super(`${tool} not found: install ${source} (${INSTALL_SCRIPT})`);
  }
}

/** The first file called `name` on PATH that is executable (no shell, no `which`). */
export async function findExecutable(
  name: string,
  searchPath = process.env.PATH ?? "",
): Promise<string | null> {
  if (name.includes("/")) return (await isExecutableFile(name)) ? path.resolve(name) : null;
  for (const dir of searchPath.split(path.delimiter)) {
    if (dir === "") continue;
    const candidate = path.join(dir, name);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return null;
}

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

/** Runs `executable args` briefly and returns the first output line matching `pattern` (or the first line). */
async function versionLine(executable: string, args: string[], pattern?: RegExp): Promise<string> {
  const result = await runTool(executable, args, { timeoutMs: 20_000, maxOutputBytes: 64 * 1024 });
  const lines = `${result.stdout}\n${result.stderr}`
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
  const line = (pattern ? lines.find((l) => pattern.test(l)) : undefined) ?? lines[0];
  if (!line) throw new Error(`no version output (exit ${result.exitCode})`);
  return line.replace(/\s*:?\s*Copyright.*$/i, "");
}

const onPath = (name: string) => () => findExecutable(name);
const requireFrom = createRequire(import.meta.url);

export const TOOLS: readonly ToolSpec[] = [
  {
    name: "clamscan",
    purpose: "Scan for viruses (one run per batch of files)",
    source: "clamav",
    required: true,
    locate: onPath("clamscan"),
    version: (exe) => versionLine(exe, ["--version"]),
  },
  {
    name: "clamdscan",
    purpose: "Scan for viruses through a running clamd (used instead of clamscan when its socket exists)",
    source: "clamav-daemon",
    required: false,
    locate: onPath("clamdscan"),
    version: (exe) => versionLine(exe, ["--version"]),
  },
  {
    name: "7za",
    purpose: "Extract 7z packages; bz2/xz streams",
    source: "npm 7zip-bin",
    required: true,
    locate: () => sevenZipPath().catch(() => null),
    version: (exe) => versionLine(exe, [], /7-Zip/),
  },
  {
    name: "exiftool",
    purpose: "Characterize and extract metadata",
    source: "npm exiftool-vendored (needs perl)",
    required: true,
    locate: async () => {
      try {
        const pkg = requireFrom.resolve("exiftool-vendored.pl/package.json");
        const bin = path.join(path.dirname(pkg), "bin", "exiftool");
        return (await isExecutableFile(bin)) ? bin : null;
      } catch {
        return null;
      }
    },
    version: (exe) => versionLine(exe, ["-ver"]),
  },
  {
    name: "mediainfo",
    purpose: "Characterize audio and video",
    source: "mediainfo",
    required: true,
    locate: onPath("mediainfo"),
    version: (exe) => versionLine(exe, ["--Version"], /MediaInfoLib/),
  },
  {
    name: "ffmpeg",
    purpose: "Normalize audio and video",
    source: "ffmpeg",
    required: true,
    locate: onPath("ffmpeg"),
    version: (exe) => versionLine(exe, ["-version"]),
  },
  {
    name: "ffprobe",
    purpose: "Characterize audio and video",
    source: "ffmpeg",
    required: true,
    locate: onPath("ffprobe"),
    version: (exe) => versionLine(exe, ["-version"]),
  },
  {
    name: "gs",
    purpose: "Normalize PDF to PDF/A",
    source: "ghostscript",
    required: true,
    locate: onPath("gs"),
    version: async (exe) => `Ghostscript ${await versionLine(exe, ["--version"])}`,
  },
  {
    name: "sharp",
    purpose: "Normalize raster images (libvips, in process)",
    source: "npm sharp",
    required: true,
    locate: async () => {
      try {
        return path.dirname(requireFrom.resolve("sharp/package.json"));
      } catch {
        return null;
      }
    },
    version: async () => {
      const sharp = (await import("sharp")).default;
      return `sharp ${sharp.versions.sharp ?? "?"}, libvips ${sharp.versions.vips}`;
    },
  },
];

export function toolSpec(name: string): ToolSpec {
  const spec = TOOLS.find((t) => t.name === name);
  if (!spec) throw new Error(`no tool called "${name}" in functions/tools/discover.ts`);
  return spec;
}

/** The tool's absolute path; throws ToolMissingError ("clamscan not found: install clamav (…)"). */
export async function requireTool(name: string): Promise<string> {
  const spec = toolSpec(name);
  const found = await spec.locate();
  if (!found) throw new ToolMissingError(spec.name, spec.source);
  return found;
}

const versions = new Map<string, Promise<string>>();

/** The tool's version text, asked once per process and path. */
export function toolVersion(name: string, executable: string): Promise<string> {
  const key = `${name}\0${executable}`;
  let cached = versions.get(key);
  if (!cached) {
    cached = toolSpec(name).version(executable);
    cached.catch(() => versions.delete(key));
    versions.set(key, cached);
  }
  return cached;
}

/** Every tool: found or not, with its version. */
export async function describeTools(): Promise<ToolStatus[]> {
  return Promise.all(
    TOOLS.map(async (spec) => {
      const base = { name: spec.name, purpose: spec.purpose, source: spec.source, required: spec.required };
      const found = await spec.locate();
      if (!found) return { ...base, path: null, version: null };
      try {
        return { ...base, path: found, version: await toolVersion(spec.name, found) };
      } catch (error) {
        return { ...base, path: found, version: null, problem: (error as Error).message };
      }
    }),
  );
}
