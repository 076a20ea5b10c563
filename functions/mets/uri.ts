/**
 * A relative path as a URI reference (RFC 3986), for METS `xlink:href` (xs:anyURI). A file name may
 * hold any character a file system allows; in the URI each segment keeps only what a path segment
 * may carry literally (unreserved characters, sub-delims, ":" and "@") and every other byte of its
 * UTF-8 form is percent-encoded: "%", "#", "?", space, "[", "]", non-ASCII, control characters.
 * A ":" in the first segment is encoded too, so "a:b/c" can never be read as a scheme.
 */

// RFC 3986 pchar without pct-encoded: ALPHA DIGIT - . _ ~ ! $ & ' ( ) * + , ; = : @
const LITERAL = /^[A-Za-z0-9\-._~!$&'()*+,;=:@]$/;

export function uriReferenceOf(relativePath: string): string {
  return relativePath
    .split("/")
    .map((segment, index) => encodeSegment(segment, index === 0))
    .join("/");
}

function encodeSegment(segment: string, first: boolean): string {
  let out = "";
  for (const char of segment) {
    if (LITERAL.test(char) && !(first && char === ":")) {
      out += char;
      continue;
    }
    for (const byte of Buffer.from(char, "utf8"))
      out += `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** The path a URI reference written by uriReferenceOf names (for readers of the METS). */
export function pathOfUriReference(reference: string): string {
  return reference
    .split("/")
    .map((segment) => decodeURIComponent(segment))
    .join("/");
}
