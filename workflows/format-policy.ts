/**
 * The format policy (Archivematica's format policy registry, FPR) as data: format families keyed by
 * PRONOM id, each naming the rules per purpose — which tools characterize it, which checks validate
 * it, and which command makes its preservation and access derivatives. A family without a rule for a
 * purpose has nothing to do for it (e.g. TIFF is already a preservation format).
 */

export type CharacterizerId = "exiftool" | "mediainfo" | "ffprobe";
export type ValidatorId =
  | "pdf-structure"
  | "png-structure"
  | "jpeg-structure"
  | "gif-structure"
  | "tiff-structure"
  | "riff-structure"
  | "xml-well-formed"
  | "utf8-text"
  | "mediaconch";
export type NormalizationCommandId =
  | "sharp-to-tiff"
  | "sharp-to-jpeg"
  | "ffmpeg-to-wav"
  | "ffmpeg-to-mp3"
  | "ffmpeg-to-ffv1-mkv"
  | "ffmpeg-to-h264-mp4"
  | "ghostscript-to-pdfa";
export type NormalizationPurpose = "preservation" | "access";

export interface NormalizationRule {
  command: NormalizationCommandId;
  /** The derivative's file extension (no dot). */
  extension: string;
  /** What the derivative is, recorded on its FileRecord (PRONOM). */
  output: { puid: string; format: string; mime: string };
}

export interface FormatFamily {
  id: string;
  description: string;
  puids: readonly string[];
  /** Used only when a file has no PUID (identification did not run or found nothing). */
  mimeTypes: readonly string[];
  extensions: readonly string[];
  characterization: readonly CharacterizerId[];
  validation: readonly ValidatorId[];
  preservation: NormalizationRule | null;
  access: NormalizationRule | null;
}

const TIFF: NormalizationRule = {
  command: "sharp-to-tiff",
  extension: "tif",
  output: { puid: "fmt/353", format: "Tagged Image File Format", mime: "image/tiff" },
};
const JPEG: NormalizationRule = {
  command: "sharp-to-jpeg",
  extension: "jpg",
  output: { puid: "fmt/43", format: "JPEG File Interchange Format", mime: "image/jpeg" },
};
const WAV: NormalizationRule = {
  command: "ffmpeg-to-wav",
  extension: "wav",
  output: { puid: "fmt/141", format: "Waveform Audio (PCMWAVEFORMAT)", mime: "audio/x-wav" },
};
const MP3: NormalizationRule = {
  command: "ffmpeg-to-mp3",
  extension: "mp3",
  output: { puid: "fmt/134", format: "MPEG 1/2 Audio Layer 3", mime: "audio/mpeg" },
};
const FFV1_MKV: NormalizationRule = {
  command: "ffmpeg-to-ffv1-mkv",
  extension: "mkv",
  output: { puid: "fmt/569", format: "Matroska", mime: "video/x-matroska" },
};
const H264_MP4: NormalizationRule = {
  command: "ffmpeg-to-h264-mp4",
  extension: "mp4",
  output: { puid: "fmt/199", format: "MPEG-4 Media File", mime: "video/mp4" },
};
const PDFA: NormalizationRule = {
  command: "ghostscript-to-pdfa",
  extension: "pdf",
  output: { puid: "fmt/477", format: "Acrobat PDF/A - Portable Document Format 2b", mime: "application/pdf" },
};

const AV_TOOLS: readonly CharacterizerId[] = ["exiftool", "mediainfo", "ffprobe"];

export const FORMAT_POLICY: readonly FormatFamily[] = [
  {
    id: "png",
    description: "Portable Network Graphics",
    puids: ["fmt/11", "fmt/12", "fmt/13"],
    mimeTypes: ["image/png"],
    extensions: ["png"],
    characterization: ["exiftool"],
    validation: ["png-structure"],
    preservation: TIFF,
    access: JPEG,
  },
  {
    id: "jpeg",
    description: "JPEG / JFIF / Exif",
    puids: ["fmt/41", "fmt/42", "fmt/43", "fmt/44", "fmt/645", "x-fmt/398", "x-fmt/390", "x-fmt/391"],
    mimeTypes: ["image/jpeg"],
    extensions: ["jpg", "jpeg", "jpe", "jfif"],
    characterization: ["exiftool"],
    validation: ["jpeg-structure"],
    preservation: TIFF,
    access: JPEG,
  },
  {
    id: "gif",
    description: "Graphics Interchange Format",
    puids: ["fmt/3", "fmt/4"],
    mimeTypes: ["image/gif"],
    extensions: ["gif"],
    characterization: ["exiftool"],
    validation: ["gif-structure"],
    preservation: TIFF,
    access: JPEG,
  },
  {
    id: "other-raster",
    description: "Other raster images sharp can read (BMP, WebP)",
    puids: ["fmt/116", "fmt/118", "fmt/119", "fmt/566", "fmt/567", "fmt/568"],
    mimeTypes: ["image/bmp", "image/webp"],
    extensions: ["bmp", "webp"],
    characterization: ["exiftool"],
    validation: [],
    preservation: TIFF,
    access: JPEG,
  },
  {
    id: "tiff",
    description: "Tagged Image File Format (already a preservation format)",
    puids: ["fmt/353", "fmt/7", "fmt/8", "fmt/9", "fmt/10"],
    mimeTypes: ["image/tiff"],
    extensions: ["tif", "tiff"],
    characterization: ["exiftool"],
    validation: ["tiff-structure"],
    preservation: null,
    access: JPEG,
  },
  {
    id: "wav",
    description: "Waveform Audio (already a preservation format)",
    puids: ["fmt/6", "fmt/141", "fmt/142", "fmt/143", "fmt/527", "fmt/703", "fmt/704", "fmt/705", "fmt/706"],
    mimeTypes: ["audio/x-wav", "audio/wav", "audio/vnd.wave"],
    extensions: ["wav"],
    characterization: AV_TOOLS,
    validation: ["riff-structure", "mediaconch"],
    preservation: null,
    access: MP3,
  },
  {
    id: "flac",
    description: "FLAC (lossless; kept as the preservation copy)",
    puids: ["fmt/279"],
    mimeTypes: ["audio/flac", "audio/x-flac"],
    extensions: ["flac"],
    characterization: AV_TOOLS,
    validation: ["mediaconch"],
    preservation: null,
    access: MP3,
  },
  {
    id: "other-audio",
    description: "Compressed or proprietary audio (MP3, Ogg, AIFF)",
    puids: ["fmt/134", "fmt/203", "fmt/946", "fmt/414", "x-fmt/136"],
    mimeTypes: ["audio/mpeg", "audio/ogg", "audio/x-aiff", "audio/aiff"],
    extensions: ["mp3", "ogg", "oga", "opus", "aif", "aiff", "aifc"],
    characterization: AV_TOOLS,
    validation: ["mediaconch"],
    preservation: WAV,
    access: MP3,
  },
  {
    id: "video",
    description: "Video in MP4, QuickTime, Matroska, WebM, AVI, MPEG, FLV",
    puids: [
      "fmt/199",
      "x-fmt/384",
      "fmt/569",
      "fmt/573",
      "fmt/5",
      "x-fmt/385",
      "fmt/649",
      "fmt/640",
      "x-fmt/382",
    ],
    mimeTypes: [
      "video/mp4",
      "video/quicktime",
      "video/x-matroska",
      "video/webm",
      "video/x-msvideo",
      "video/mpeg",
    ],
    extensions: ["mp4", "m4v", "mov", "mkv", "webm", "avi", "mpg", "mpeg", "flv"],
    characterization: AV_TOOLS,
    validation: ["mediaconch"],
    preservation: FFV1_MKV,
    access: H264_MP4,
  },
  {
    id: "pdf",
    description: "Portable Document Format (not PDF/A)",
    puids: ["fmt/14", "fmt/15", "fmt/16", "fmt/17", "fmt/18", "fmt/19", "fmt/20", "fmt/276", "fmt/1129"],
    mimeTypes: ["application/pdf"],
    extensions: ["pdf"],
    characterization: ["exiftool"],
    validation: ["pdf-structure"],
    preservation: PDFA,
    access: null,
  },
  {
    id: "pdfa",
    description: "PDF/A (already a preservation format)",
    puids: ["fmt/95", "fmt/354", "fmt/476", "fmt/477", "fmt/478", "fmt/479", "fmt/480", "fmt/481"],
    mimeTypes: [],
    extensions: [],
    characterization: ["exiftool"],
    validation: ["pdf-structure"],
    preservation: null,
    access: null,
  },
  {
    id: "xml",
    description: "Extensible Markup Language",
    puids: ["fmt/101", "fmt/979", "fmt/91", "fmt/92", "fmt/413"],
    mimeTypes: ["application/xml", "text/xml", "image/svg+xml"],
    extensions: ["xml", "svg"],
    characterization: ["exiftool"],
    validation: ["xml-well-formed", "utf8-text"],
    preservation: null,
    access: null,
  },
  {
    id: "text",
    description: "Plain text and CSV",
    puids: ["x-fmt/111", "x-fmt/18", "fmt/1149"],
    mimeTypes: ["text/plain", "text/csv", "text/markdown"],
    extensions: ["txt", "csv", "md", "tsv"],
    characterization: ["exiftool"],
    validation: ["utf8-text"],
    preservation: null,
    access: null,
  },
];

/** Characterization for files no family claims: ExifTool reads almost anything. */
export const DEFAULT_CHARACTERIZATION: readonly CharacterizerId[] = ["exiftool"];

export interface FormatFacts {
  puid: string | null;
  mime: string | null;
  /** The file's path (its extension is the last resort). */
  path: string;
}

/** The family a file belongs to and how that was decided: by PUID, else by MIME type, else by extension. */
export function familyOf(
  facts: FormatFacts,
): { family: FormatFamily; basis: "puid" | "mime" | "extension" } | null {
  if (facts.puid) {
    const byPuid = FORMAT_POLICY.find((f) => f.puids.includes(facts.puid!));
    return byPuid ? { family: byPuid, basis: "puid" } : null;
  }
  const mime = facts.mime?.toLowerCase();
  const byMime = mime ? FORMAT_POLICY.find((f) => f.mimeTypes.includes(mime)) : undefined;
  if (byMime) return { family: byMime, basis: "mime" };
  const dot = facts.path.lastIndexOf(".");
  const extension = dot > facts.path.lastIndexOf("/") ? facts.path.slice(dot + 1).toLowerCase() : "";
  const byExtension = extension ? FORMAT_POLICY.find((f) => f.extensions.includes(extension)) : undefined;
  return byExtension ? { family: byExtension, basis: "extension" } : null;
}
