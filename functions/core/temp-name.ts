import { createHash } from "node:crypto";
import path from "node:path";

/** Longest file-name component ext4, XFS, APFS and NTFS accept. */
const MAX_COMPONENT_BYTES = 255;

/**
 * The temporary name a file is written under before it is renamed into place: `<name>.partial`
 * beside it, or — when that would pass the 255-byte component limit (a depositor's 255-byte name)
 * — `.partial-<hash of the name>`. Fixed for a given file, so a write repeated after a crash
 * replaces the leftover instead of adding one.
 */
export function partialPathOf(file: string): string {
  const name = path.basename(file);
  const plain = `${name}.partial`;
  if (Buffer.byteLength(plain) <= MAX_COMPONENT_BYTES) return path.join(path.dirname(file), plain);
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 32);
  return path.join(path.dirname(file), `.partial-${hash}`);
}

/** Whether a directory entry is such a temporary file (listings skip them). */
export function isPartialName(name: string): boolean {
  return name.endsWith(".partial") || name.startsWith(".partial-");
}
