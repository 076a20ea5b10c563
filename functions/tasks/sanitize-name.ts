import { createHash } from "node:crypto";

/**
 * File-name clean-up rules (Archivematica's "Clean up names", kept minimal): letters of any script,
 * digits, spaces and ordinary punctuation stay; what breaks downstream tools and shells goes.
 */

/** Longest name component most file systems (ext4, XFS, NTFS, APFS) accept. */
export const MAX_COMPONENT_BYTES = 255;

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what we replace
const UNSAFE = /[\u0000-\u001f\u007f-\u009f`$&;|<>*?!"'\\:\ufffd]/g;

/** The safe form of one name, before collision handling: same input → same output. */
export function sanitizeName(name: string | Buffer): string {
  const text = typeof name === "string" ? name : decodeLossy(name);
  let safe = text.replace(UNSAFE, "_").replace(/^-+/, (dashes) => "_".repeat(dashes.length));
  if (safe === "" || safe === "." || safe === "..") safe = "_";
  if (Buffer.byteLength(safe) > MAX_COMPONENT_BYTES) safe = shorten(safe, hashOf(name));
  return safe;
}

/** Bytes that are not UTF-8 become U+FFFD (then "_"): a name the tools can always read. */
function decodeLossy(bytes: Buffer): string {
  return new TextDecoder("utf-8", { fatal: false }).decode(bytes);
}

export function hashOf(name: string | Buffer): string {
  return createHash("sha256").update(name).digest("hex");
}

/** Cuts the stem (keeping a short extension) so that stem + "_hash" + extension fits in 255 bytes. */
function shorten(name: string, hash: string, hashLength = 8): string {
  const dot = name.lastIndexOf(".");
  const extension = dot > 0 && Buffer.byteLength(name.slice(dot)) <= 16 ? name.slice(dot) : "";
  const suffix = `_${hash.slice(0, hashLength)}${extension}`;
  const budget = MAX_COMPONENT_BYTES - Buffer.byteLength(suffix);
  let stem = "";
  for (const char of extension ? name.slice(0, dot) : name) {
    if (Buffer.byteLength(stem + char) > budget) break;
    stem += char;
  }
  return stem + suffix;
}

/** `name` with "_<hash>" before its extension, still within 255 bytes. */
export function withHashSuffix(name: string, original: string | Buffer, hashLength = 8): string {
  const hash = hashOf(original);
  const dot = name.lastIndexOf(".");
  const extension = dot > 0 ? name.slice(dot) : "";
  const candidate = `${extension ? name.slice(0, dot) : name}_${hash.slice(0, hashLength)}${extension}`;
  return Buffer.byteLength(candidate) <= MAX_COMPONENT_BYTES ? candidate : shorten(name, hash, hashLength);
}

/**
 * New names for the entries of one folder: safe names stay as they are and are claimed first; a
 * changed name that collides with a claimed one (exactly or ignoring case) gets a hash suffix.
 * Deterministic: the result depends only on the set of names.
 */
export function planFolderNames(names: readonly string[]): Map<string, string> {
  const sorted = [...names].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const plan = new Map<string, string>();
  const taken = new Set<string>();
  const changed: Array<[string, string]> = [];
  for (const name of sorted) {
    const safe = sanitizeName(name);
    if (safe === name) {
      plan.set(name, name);
      taken.add(name.toLowerCase());
    } else changed.push([name, safe]);
  }
  for (const [name, safe] of changed) {
    let candidate = safe;
    for (let length = 8; taken.has(candidate.toLowerCase()); length += 8) {
      candidate = withHashSuffix(safe, name, length);
    }
    plan.set(name, candidate);
    taken.add(candidate.toLowerCase());
  }
  return plan;
}
