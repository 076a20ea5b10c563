/** Text helpers: manifest path percent-encoding, line splitting, byte-order sorting, path safety. */

/** RFC 8493 2.1.3: CR, LF and % (and only those) are percent-encoded in manifest and fetch paths. */
export function encodeManifestPath(path: string): string {
  return path.replace(/[%\r\n]/g, (ch) => (ch === "%" ? "%25" : ch === "\r" ? "%0D" : "%0A"));
}

/** Inverse of encodeManifestPath, in one pass so "%250A" decodes to "%0A", not to a newline. */
export function decodeManifestPath(encoded: string): string {
  return encoded.replace(/%(25|0A|0D)/gi, (_match, code: string) =>
    code === "25" ? "%" : code.toUpperCase() === "0A" ? "\n" : "\r",
  );
}

/** True when the encoded path holds a % that is not one of the three escapes the RFC allows. */
export function hasBarePercent(encoded: string): boolean {
  return /%(?!25|0A|0D)/i.test(encoded);
}

/** Tag files may end lines with LF, CR or CRLF (RFC 8493 2.1); a final line break is optional. */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** Byte order of the UTF-8 encodings, so output does not depend on the locale or on UTF-16 order. */
export function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, "utf8"), Buffer.from(b, "utf8"));
}

export type PathCheck = { ok: true; path: string } | { ok: false; reason: string; escapes: boolean };

/**
 * A manifest path must be relative, use "/" and stay inside the bag (RFC 8493 5.1, 5.2).
 * A leading "./" is tolerated (some tools write it) and removed.
 */
export function checkRelativePath(path: string): PathCheck {
  if (path === "") return { ok: false, reason: "empty path", escapes: false };
  if (path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path) || path.startsWith("\\\\")) {
    return { ok: false, reason: `absolute path "${showPath(path)}" points outside the bag`, escapes: true };
  }
  const trimmed = path.startsWith("./") ? path.slice(2) : path;
  const segments = trimmed.split("/");
  if (segments.some((segment) => segment === "..")) {
    return { ok: false, reason: `path "${showPath(path)}" uses ".." and may escape the bag`, escapes: true };
  }
  if (segments.some((segment) => segment === "" || segment === ".")) {
    return { ok: false, reason: `path "${showPath(path)}" has an empty or "." segment`, escapes: false };
  }
  return { ok: true, path: trimmed };
}

/** Printable form of a path for messages: control characters shown escaped. */
export function showPath(path: string): string {
  return JSON.stringify(path).slice(1, -1);
}
