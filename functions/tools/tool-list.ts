import { createRequire } from "node:module";
import path from "node:path";
import { sevenZipPath } from "../archives/seven-zip.ts";
import { findExecutable, isExecutableFile, versionLine } from "./locate.ts";

/**
 * Which part of the work needs a tool. A run checks, before it starts, the tools its processing
 * configuration will call ("every run", plus "virus scan" unless scan_for_viruses is false, plus
 * "normalization" when it makes preservation or access copies); the browser tests need Chromium;
 * an "optional" tool is used when present.
 */
export type NeededBy = "every run" | "virus scan" | "normalization" | "browser tests" | "optional";

export interface ToolSpec {
  name: string;
  /** What stepmatica uses it for. */
  purpose: string;
  /** Where it comes from: a Debian package (installed by install-tools.sh) or an npm dependency. */
  source: string;
  /** The Debian package that provides it, when install-tools.sh installs it. */
  debianPackage?: string;
  neededBy: NeededBy;
  /** Absolute path, or null when not installed. */
  locate(): Promise<string | null>;
  /** Version text from the tool (its first meaningful line, trimmed). */
  version(executable: string): Promise<string>;
}

const onPath = (name: string) => () => findExecutable(name);
const requireFrom = createRequire(import.meta.url);

/** A tool from a Debian package, found on PATH. */
function debian(
  name: string,
  debianPackage: string,
  neededBy: NeededBy,
  purpose: string,
  version: (exe: string) => Promise<string>,
): ToolSpec {
  return { name, purpose, source: debianPackage, debianPackage, neededBy, locate: onPath(name), version };
}

export const TOOLS: readonly ToolSpec[] = [
  debian("clamscan", "clamav", "virus scan", "Scan for viruses (one run per batch of files)", (exe) =>
    versionLine(exe, ["--version"]),
  ),
  {
    name: "clamdscan",
    purpose: "Scan for viruses through a running clamd (used instead of clamscan when its socket exists)",
    source: "clamav-daemon",
    neededBy: "optional",
    locate: onPath("clamdscan"),
    version: (exe) => versionLine(exe, ["--version"]),
  },
  {
    name: "7za",
    purpose: "Extract 7z packages; bz2/xz streams",
    source: "npm 7zip-bin",
    neededBy: "every run",
    locate: () => sevenZipPath().catch(() => null),
    version: (exe) => versionLine(exe, [], /7-Zip/),
  },
  {
    name: "exiftool",
    purpose: "Characterize and extract metadata",
    source: "npm exiftool-vendored (needs perl)",
    neededBy: "every run",
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
  debian("mediainfo", "mediainfo", "every run", "Characterize audio and video", (exe) =>
    versionLine(exe, ["--Version"], /MediaInfoLib/),
  ),
  debian("ffprobe", "ffmpeg", "every run", "Characterize audio and video", (exe) =>
    versionLine(exe, ["-version"]),
  ),
  debian("xmllint", "libxml2-utils", "every run", "Validate XML files (Validate formats)", (exe) =>
    versionLine(exe, ["--version"], /libxml/),
  ),
  debian("mediaconch", "mediaconch", "every run", "Validate audio and video (Validate formats)", (exe) =>
    versionLine(exe, ["--version"], /MediaConch/),
  ),
  debian("ffmpeg", "ffmpeg", "normalization", "Normalize audio and video", (exe) =>
    versionLine(exe, ["-version"]),
  ),
  debian(
    "gs",
    "ghostscript",
    "normalization",
    "Normalize PDF to PDF/A",
    async (exe) => `Ghostscript ${await versionLine(exe, ["--version"])}`,
  ),
  {
    name: "sharp",
    purpose: "Normalize raster images (libvips, in process)",
    source: "npm sharp",
    neededBy: "normalization",
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
  debian("chromium", "chromium", "browser tests", "Run the dashboard's browser tests (headless)", (exe) =>
    versionLine(exe, ["--version"], /Chromium/),
  ),
];
