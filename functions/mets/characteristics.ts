/**
 * Tool output (FileRecord.characteristics) as it goes into the METS: a canonical JSON text per tool
 * (keys sorted, so the same output always gives the same bytes) and a creating application guessed
 * from the usual embedded-metadata tags.
 */

/**
 * JSON with object keys sorted by code point at every level. Follows JSON.stringify for the rest
 * (toJSON, undefined members dropped, non-finite numbers as null) and never throws: bigints become
 * strings and a cycle becomes the string "[Circular]". Control characters and lone surrogates in
 * strings come out as \u escapes, so the text is always safe to put into XML once &, <, > are escaped.
 */
export function canonicalJson(value: unknown): string {
  return encode(value, new Set<object>()) ?? "null";
}

function encode(value: unknown, seen: Set<object>): string | undefined {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return JSON.stringify(value);
    case "number":
      return Number.isFinite(value) ? JSON.stringify(value) : "null";
    case "boolean":
      return value ? "true" : "false";
    case "bigint":
      return JSON.stringify(value.toString());
    case "undefined":
    case "function":
    case "symbol":
      return undefined;
  }
  const obj = value as object & { toJSON?: () => unknown };
  if (typeof obj.toJSON === "function") return encode(obj.toJSON(), seen);
  if (seen.has(obj)) return JSON.stringify("[Circular]");
  seen.add(obj);
  try {
    if (Array.isArray(obj)) {
      return "[" + obj.map((item) => encode(item, seen) ?? "null").join(",") + "]";
    }
    const record = obj as Record<string, unknown>;
    const parts: string[] = [];
    for (const key of Object.keys(record).sort(compareCodePoints)) {
      const encoded = encode(record[key], seen);
      if (encoded !== undefined) parts.push(JSON.stringify(key) + ":" + encoded);
    }
    return "{" + parts.join(",") + "}";
  } finally {
    seen.delete(obj);
  }
}

/**
 * Code-point order, locale-independent, so output never depends on the machine; the same order as
 * PostgreSQL's `collate "C"` on UTF-8 text, so the store can page files in the order the METS needs.
 * Plain `<` compares UTF-16 units, which puts a character above U+FFFF (a surrogate pair, e.g. an
 * emoji) before U+E000–U+FFFF; a surrogate stands for a code point above every other unit.
 */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xPair = x >= 0xd800 && x <= 0xdfff;
    const yPair = y >= 0xd800 && y <= 0xdfff;
    if (xPair !== yPair) return xPair ? 1 : -1;
    return x < y ? -1 : 1;
  }
  return a.length < b.length ? -1 : 1;
}

/** Tags naming the program that made a file, in the order we trust them (ExifTool tag names). */
const CREATOR_TAGS = ["CreatorTool", "Software", "Producer"] as const;

/**
 * The application that created the file, when a characterization tool reported one
 * (e.g. ExifTool's CreatorTool/Software/Producer). Tools are consulted in name order.
 */
export function creatingApplicationOf(characteristics: Record<string, unknown> | null): string | null {
  if (!characteristics) return null;
  for (const tool of Object.keys(characteristics).sort(compareCodePoints)) {
    const output = characteristics[tool];
    if (typeof output !== "object" || output === null || Array.isArray(output)) continue;
    const tags = output as Record<string, unknown>;
    for (const tag of CREATOR_TAGS) {
      const value = tags[tag];
      if (typeof value === "string" && value.trim() !== "") {
        return value.trim();
      }
    }
  }
  return null;
}
