import path from "node:path";
import { ArchiveError } from "./errors.ts";

/**
 * Turns a raw entry name into a safe relative POSIX path, or null for the archive root ("./").
 * Backslashes count as separators (archives made on Windows); absolute names, drive letters,
 * `..` segments and NUL bytes are refused rather than rewritten, because a package that tries
 * them is not one to trust.
 */
export function safeEntryPath(raw: string, archive: string): string | null {
  if (raw.includes("\0")) throw new ArchiveError("unsafe-path", archive, "NUL byte in name", visible(raw));
  const slashed = raw.replace(/\\/g, "/");
  if (slashed.startsWith("/") || /^[A-Za-z]:/.test(slashed)) {
    throw new ArchiveError("unsafe-path", archive, "absolute path", visible(raw));
  }
  const segments = slashed.split("/").filter((segment) => segment !== "" && segment !== ".");
  if (segments.includes("..")) {
    throw new ArchiveError("unsafe-path", archive, "path leaves the extraction folder (..)", visible(raw));
  }
  return segments.length === 0 ? null : segments.join("/");
}

/**
 * Refuses a symbolic link whose target, resolved from the link's own folder, leaves the
 * extraction root. Absolute targets are refused even when they would land inside: after the
 * folder moves they would point elsewhere.
 */
export function checkSymlinkTarget(linkPath: string, target: string, archive: string): void {
  if (target === "" || target.includes("\0")) {
    throw new ArchiveError("link-escape", archive, "empty or invalid link target", linkPath);
  }
  const slashed = target.replace(/\\/g, "/");
  if (slashed.startsWith("/") || /^[A-Za-z]:/.test(slashed)) {
    throw new ArchiveError("link-escape", archive, `symbolic link to absolute path ${target}`, linkPath);
  }
  const resolved = path.posix.normalize(path.posix.join(path.posix.dirname(linkPath), slashed));
  if (resolved === ".." || resolved.startsWith("../")) {
    throw new ArchiveError(
      "link-escape",
      archive,
      `symbolic link target ${target} is outside the archive`,
      linkPath,
    );
  }
}

/** Entry names go into one-line messages: show control characters escaped. */
export function visible(name: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: escaping control characters is the point
  return name.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}
