import { createHash } from "node:crypto";
import { readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import sharp from "sharp";
import type { NormalizationCommandId } from "../../workflows/format-policy.ts";
import { execTool, ToolError } from "./exec.ts";
import { findIccProfile, pdfaDefinition, reproducibleId } from "./pdfa.ts";

export interface NormalizeOptions {
  signal: AbortSignal;
  /** SOURCE_DATE_EPOCH of a deterministic run: tools that write dates or ids write reproducible ones. */
  sourceDateEpoch?: number;
}

export interface Normalizer {
  program: string;
  version(): Promise<string>;
  /** The command as recorded in the PREMIS event (input and output as placeholders). */
  describe: string;
  run(input: string, output: string, options: NormalizeOptions): Promise<void>;
}

/** ffmpeg flags that keep version strings and dates out of the output (reproducible derivatives). */
const BITEXACT = ["-fflags", "+bitexact", "-flags:v", "+bitexact", "-flags:a", "+bitexact"];

async function ffmpeg(input: string, output: string, args: string[], options: NormalizeOptions) {
  const result = await execTool(
    "ffmpeg",
    ["-nostdin", "-hide_banner", "-v", "error", "-y", "-i", input, ...args, ...BITEXACT, output],
    { signal: options.signal },
  );
  if (result.exitCode !== 0)
    throw new ToolError(`ffmpeg exit ${result.exitCode}: ${result.stderr.trim().slice(0, 2000)}`);
}

const ffmpegVersion = lazy(() =>
  execTool("ffmpeg", ["-version"], { timeoutMs: 10_000 }).then(
    (r) => /ffmpeg version (\S+)/.exec(r.stdout)?.[1] ?? "unknown",
  ),
);
const gsVersion = lazy(() =>
  execTool("gs", ["--version"], { timeoutMs: 10_000 }).then((r) => r.stdout.trim()),
);
const sharpVersion = async () => `${sharp.versions.sharp ?? "?"} (libvips ${sharp.versions.vips})`;

const ffmpegRule = (describe: string, args: string[]): Normalizer => ({
  program: "ffmpeg",
  version: ffmpegVersion,
  describe: `ffmpeg -i %inputFile% ${describe} %outputFile%`,
  run: (input, output, options) => ffmpeg(input, output, args, options),
});

export const NORMALIZERS: Record<NormalizationCommandId, Normalizer> = {
  "sharp-to-tiff": {
    program: "sharp",
    version: sharpVersion,
    describe: 'sharp(%inputFile%).tiff({ compression: "none" })',
    run: async (input, output) => {
      await sharp(input, { failOn: "error" }).tiff({ compression: "none" }).toFile(output);
    },
  },
  "sharp-to-jpeg": {
    program: "sharp",
    version: sharpVersion,
    describe: "sharp(%inputFile%).flatten(white).jpeg({ quality: 85 })",
    run: async (input, output) => {
      await sharp(input, { failOn: "error" })
        .flatten({ background: "#ffffff" })
        .jpeg({ quality: 85 })
        .toFile(output);
    },
  },
  "ffmpeg-to-wav": ffmpegRule("-map 0:a:0 -c:a pcm_s16le -f wav", [
    "-map",
    "0:a:0",
    "-c:a",
    "pcm_s16le",
    "-f",
    "wav",
  ]),
  "ffmpeg-to-mp3": ffmpegRule("-map 0:a:0 -c:a libmp3lame -q:a 2 -f mp3", [
    "-map",
    "0:a:0",
    "-c:a",
    "libmp3lame",
    "-q:a",
    "2",
    "-f",
    "mp3",
  ]),
  "ffmpeg-to-ffv1-mkv": ffmpegRule(
    "-map 0:v:0 -map 0:a? -c:v ffv1 -level 3 -g 1 -slicecrc 1 -c:a pcm_s16le -f matroska",
    [
      "-map",
      "0:v:0",
      "-map",
      "0:a?",
      "-c:v",
      "ffv1",
      "-level",
      "3",
      "-g",
      "1",
      "-slicecrc",
      "1",
      "-c:a",
      "pcm_s16le",
      "-f",
      "matroska",
    ],
  ),
  "ffmpeg-to-h264-mp4": ffmpegRule(
    "-map 0:v:0 -map 0:a? -c:v libx264 -preset fast -crf 23 -pix_fmt yuv420p -vf scale=trunc(iw/2)*2:trunc(ih/2)*2 -c:a aac -b:a 128k -f mp4",
    [
      "-map",
      "0:v:0",
      "-map",
      "0:a?",
      "-c:v",
      "libx264",
      "-preset",
      "fast",
      "-crf",
      "23",
      "-pix_fmt",
      "yuv420p",
      "-vf",
      "scale=trunc(iw/2)*2:trunc(ih/2)*2",
      "-c:a",
      "aac",
      "-b:a",
      "128k",
      "-movflags",
      "+faststart",
      "-f",
      "mp4",
    ],
  ),
  "ghostscript-to-pdfa": {
    program: "Ghostscript",
    version: gsVersion,
    describe:
      "gs -dPDFA=2 -dPDFACompatibilityPolicy=1 -sColorConversionStrategy=RGB -sDEVICE=pdfwrite PDFA_def.ps %inputFile%",
    run: async (input, output, options) => {
      const icc = await findIccProfile();
      const def = path.join(
        tmpdir(),
        `stepmatica-pdfa-${createHash("sha256").update(output).digest("hex").slice(0, 16)}.ps`,
      );
      const args = [
        "-q",
        "-dPDFA=2",
        "-dBATCH",
        "-dNOPAUSE",
        "-dSAFER",
        "-dPDFACompatibilityPolicy=1",
        "-sColorConversionStrategy=RGB",
        "-sDEVICE=pdfwrite",
        `-sOutputFile=${output}`,
      ];
      try {
        if (icc) {
          await writeFile(def, pdfaDefinition(icc));
          args.push(`--permit-file-read=${icc}`, def);
        }
        args.push(input);
        const env: Record<string, string> =
          options.sourceDateEpoch === undefined ? {} : { SOURCE_DATE_EPOCH: String(options.sourceDateEpoch) };
        const result = await execTool("gs", args, { signal: options.signal, env });
        if (result.exitCode !== 0)
          throw new ToolError(
            `gs exit ${result.exitCode}: ${(result.stderr || result.stdout).trim().slice(0, 2000)}`,
          );
        if (options.sourceDateEpoch !== undefined)
          await writeFile(output, reproducibleId(await readFile(output)));
      } finally {
        await rm(def, { force: true });
      }
    },
  },
};

function lazy<T>(make: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | null = null;
  return () => {
    value ??= make().catch(() => "not installed" as T);
    return value;
  };
}
