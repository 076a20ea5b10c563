/** What detectArchive recognizes by content (never by file name). */
export type ArchiveKind = "zip" | "tar" | "tar.gz" | "tar.bz2" | "tar.xz" | "gz" | "bz2" | "xz" | "7z";

/** Formats createArchive writes (the processing configuration's aip_compression values). */
export type CreateKind = "7z" | "zip" | "tar.gz";

export interface ExtractLimits {
  /** Total expanded bytes allowed (default 100 GB). */
  maxBytes: number;
  /** Entries allowed, directories and links included (default 1,000,000). */
  maxEntries: number;
  /** Expanded bytes / archive bytes allowed (default 1000); checked once more than 1 MiB has expanded. */
  maxRatio: number;
}

export const DEFAULT_LIMITS: ExtractLimits = {
  maxBytes: 100 * 1000 ** 3,
  maxEntries: 1_000_000,
  maxRatio: 1000,
};

export interface ExtractOptions {
  limits?: Partial<ExtractLimits>;
  signal?: AbortSignal;
}

export interface ExtractedEntry {
  /** Relative to destDir, POSIX separators, as written on disk (after any collision rename). */
  path: string;
  size: number;
  mtime?: Date;
}

export interface ExtractResult {
  kind: ArchiveKind;
  /** Regular files written, sorted by path. Directories are implied; links are in `symlinks`. */
  entries: ExtractedEntry[];
  totalBytes: number;
  /** Symbolic links kept (their targets stay inside destDir), sorted by path. */
  symlinks: Array<{ path: string; target: string }>;
  /** Entries written under another name because their name collided case-insensitively. */
  renamed: Array<{ from: string; to: string }>;
}

export interface CreateOptions {
  /** One time for every entry (reproducible AIPs); default: each file's own mtime. Ignored by 7z (no times stored). */
  mtime?: Date;
  /** Compression level 0–9 (default 6 for zip/tar.gz, 5 for 7z). */
  level?: number;
  signal?: AbortSignal;
}

export interface ListedEntry {
  path: string;
  type: "file" | "directory" | "symlink" | "hardlink" | "other";
  size: number;
  linkTarget?: string;
}
