/**
 * Minimal streaming XML writer: escapes text and attribute values, indents two spaces, and hands
 * finished chunks to a sink so a large document never needs a DOM (or even one whole string).
 *
 * Characters that XML 1.0 cannot carry at all (C0 controls other than tab/LF/CR, U+FFFE, U+FFFF and
 * lone surrogates) cannot be written even as character references. They are encoded as the visible
 * text `\uXXXX` (uppercase hex) so a reader sees what was there; backslashes are left as they are.
 */

/** One attribute; an undefined or null value means "omit this attribute". */
export type Attr = readonly [name: string, value: string | number | null | undefined];

const TEXT_SPECIAL =
  /[&<>\r]|[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const ATTR_SPECIAL =
  /[&<>"\r\n\t]|[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function replaceSpecial(ch: string): string {
  switch (ch) {
    case "&":
      return "&amp;";
    case "<":
      return "&lt;";
    case ">":
      return "&gt;";
    case '"':
      return "&quot;";
    // Written as references so XML end-of-line and attribute-value normalization keep them.
    case "\r":
      return "&#13;";
    case "\n":
      return "&#10;";
    case "\t":
      return "&#9;";
    default:
      return "\\u" + ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
  }
}

/** Escapes character data for element content. */
export function escapeText(value: string): string {
  return value.replace(TEXT_SPECIAL, replaceSpecial);
}

/** Escapes an attribute value (to be written between double quotes). */
export function escapeAttr(value: string): string {
  return value.replace(ATTR_SPECIAL, replaceSpecial);
}

/** True when `value` can follow a letter prefix and form an xsd:ID/NCName (ASCII subset). */
export function isIdSafe(value: string): boolean {
  return /^[A-Za-z0-9._-]+$/.test(value);
}

const FLUSH_AT = 1 << 16;

export class XmlWriter {
  // Pieces are joined once per chunk: far less garbage than growing one string piece by piece.
  private parts: string[] = [];
  private pending = 0;
  private depth = 0;
  private readonly indents: string[] = [""];

  constructor(private readonly sink: (chunk: string) => void) {}

  /** Writes raw markup (already escaped) on its own line at the current depth. */
  raw(markup: string): void {
    this.push(this.indent(), markup, "\n");
  }

  open(name: string, attrs?: readonly Attr[]): void {
    this.push(this.indent(), "<", name, formatAttrs(attrs), ">\n");
    this.depth++;
  }

  close(name: string): void {
    this.depth--;
    this.push(this.indent(), "</", name, ">\n");
  }

  /** An element with no children. */
  empty(name: string, attrs?: readonly Attr[]): void {
    this.push(this.indent(), "<", name, formatAttrs(attrs), "/>\n");
  }

  /** An element holding only text. */
  leaf(name: string, text: string, attrs?: readonly Attr[]): void {
    this.push(this.indent(), "<", name, formatAttrs(attrs), ">", escapeText(text), "</", name, ">\n");
  }

  /** Passes everything written so far to the sink. */
  flush(): void {
    if (this.parts.length > 0) {
      this.sink(this.parts.join(""));
      this.parts = [];
      this.pending = 0;
    }
  }

  private push(...pieces: string[]): void {
    for (const piece of pieces) {
      this.parts.push(piece);
      this.pending += piece.length;
    }
    if (this.pending >= FLUSH_AT) this.flush();
  }

  private indent(): string {
    let pad = this.indents[this.depth];
    if (pad === undefined) {
      pad = "  ".repeat(this.depth);
      this.indents[this.depth] = pad;
    }
    return pad;
  }
}

function formatAttrs(attrs: readonly Attr[] | undefined): string {
  if (!attrs) return "";
  let out = "";
  for (const [name, value] of attrs) {
    if (value === undefined || value === null) continue;
    out += " " + name + '="' + escapeAttr(String(value)) + '"';
  }
  return out;
}
