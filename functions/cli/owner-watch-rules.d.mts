// Types of owner-watch-rules.mjs (plain JavaScript, so the owner's watch thread runs it as it is).
export declare const FULL_BELOW_BYTES: number;

export interface FolderIdentity {
  dev: number;
  ino: number;
}

export declare function stopReason(
  folder: { now: FolderIdentity | null; opened: FolderIdentity; path: string },
  stalledMs: number,
  stallMs: number,
  freeBytes: () => number,
): string | null;
