import path from "node:path";

/** Why an archive was refused; callers route on this, tests assert it. */
export type ArchiveErrorCode =
  | "unsafe-path"
  | "link-escape"
  | "special-file"
  | "bomb"
  | "corrupt"
  | "unsupported";

/**
 * A refusal or failure while reading or writing an archive. The message is one line naming the
 * archive (file name only, never the working path) and the entry when one is known.
 */
export class ArchiveError extends Error {
  readonly code: ArchiveErrorCode;
  readonly archive: string;
  readonly entry: string | undefined;

  constructor(
    code: ArchiveErrorCode,
    archive: string,
    reason: string,
    entry?: string,
    options?: ErrorOptions,
  ) {
    const archiveName = path.basename(archive);
    const label = code === "corrupt" ? "corrupt archive" : messagePrefix[code];
    const where = entry === undefined ? archiveName : `${archiveName}: ${entry}`;
    super(oneLine(`${label}: ${where}: ${reason}`), options);
    this.name = "ArchiveError";
    this.code = code;
    this.archive = archiveName;
    this.entry = entry;
  }
}

const messagePrefix: Record<ArchiveErrorCode, string> = {
  "unsafe-path": "unsafe path in archive",
  "link-escape": "link escapes the archive",
  "special-file": "special file in archive",
  bomb: "archive bomb refused",
  corrupt: "corrupt archive",
  unsupported: "unsupported archive",
};

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, " ").trim();
}

export function isArchiveError(error: unknown): error is ArchiveError {
  return error instanceof ArchiveError;
}

/** Wraps any failure that is not already an ArchiveError as "corrupt" (the archive could not be read). */
export function asArchiveError(error: unknown, archive: string, entry?: string): ArchiveError {
  if (error instanceof ArchiveError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  return new ArchiveError("corrupt", archive, reason, entry, { cause: error });
}
