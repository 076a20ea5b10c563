export { createArchive } from "./create.ts";
export { detectArchive } from "./detect.ts";
export { ArchiveError, type ArchiveErrorCode, isArchiveError } from "./errors.ts";
export { extractArchive } from "./extract.ts";
export { listArchive } from "./list.ts";
export {
  type ArchiveKind,
  type CreateKind,
  type CreateOptions,
  DEFAULT_LIMITS,
  type ExtractedEntry,
  type ExtractLimits,
  type ExtractOptions,
  type ExtractResult,
  type ListedEntry,
} from "./types.ts";
