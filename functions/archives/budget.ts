import { ArchiveError } from "./errors.ts";
import { DEFAULT_LIMITS, type ExtractLimits } from "./types.ts";

/** Below this many expanded bytes the ratio is not judged: tiny archives have meaningless ratios. */
export const RATIO_FLOOR_BYTES = 1024 * 1024;

export function resolveLimits(limits: Partial<ExtractLimits> | undefined): ExtractLimits {
  const merged = { ...DEFAULT_LIMITS, ...limits };
  for (const [name, value] of Object.entries(merged)) {
    if (!(typeof value === "number" && value > 0))
      throw new RangeError(`limits.${name} must be a positive number`);
  }
  return merged;
}

/**
 * Counts what an extraction actually produces (bytes as they stream, entries as they appear) and
 * refuses the archive as a bomb the moment a limit is passed, so nothing near the limit is written.
 */
export class ExtractBudget {
  totalBytes = 0;
  entries = 0;

  constructor(
    private readonly limits: ExtractLimits,
    private readonly archive: string,
    private readonly archiveBytes: number,
  ) {}

  /** Check sizes an index declares (zip central directory, 7z listing) before writing anything. */
  checkDeclared(entryCount: number, declaredBytes: number): void {
    if (entryCount > this.limits.maxEntries) {
      throw this.bomb(`${entryCount} entries exceed the limit of ${this.limits.maxEntries}`);
    }
    this.checkBytes(declaredBytes, "declares");
  }

  addEntry(entry: string): void {
    this.entries++;
    if (this.entries > this.limits.maxEntries) {
      throw this.bomb(`more than ${this.limits.maxEntries} entries`, entry);
    }
  }

  addBytes(count: number, entry?: string): void {
    this.totalBytes += count;
    this.checkBytes(this.totalBytes, "expands to", entry);
  }

  private checkBytes(bytes: number, verb: string, entry?: string): void {
    if (bytes > this.limits.maxBytes) {
      throw this.bomb(`${verb} more than ${this.limits.maxBytes} bytes`, entry);
    }
    const ratio = bytes / Math.max(this.archiveBytes, 1);
    if (bytes > RATIO_FLOOR_BYTES && ratio > this.limits.maxRatio) {
      throw this.bomb(
        `${verb} ${bytes} bytes, ${Math.round(ratio)}× its size (limit ${this.limits.maxRatio}×)`,
        entry,
      );
    }
  }

  private bomb(reason: string, entry?: string): ArchiveError {
    return new ArchiveError("bomb", this.archive, reason, entry);
  }
}
