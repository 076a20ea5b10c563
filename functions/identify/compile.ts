import { concatTokens, gapToken, maxSpan, minSpan, parsePattern, type Token } from "./pattern.ts";
import type { Anchor, ByteSequenceDef, FormatDef, InternalSignatureDef, SignatureSet } from "./types.ts";

export interface CompiledSequence {
  anchor: Anchor;
  tokens: Token[];
  /** Furthest byte from its anchor the sequence can touch (Infinity: scan the file). */
  reach: number;
}

export interface ProbedSignature {
  signature: CompiledSignature;
  /** (first byte << 8) | second byte of the longest literal some sequence requires; null: none. */
  probe: number | null;
  /** The literal lies within the BOF/EOF windows (so it is in memory even for a large file). */
  probeInWindows: boolean;
}

export interface CompiledSignature {
  id: number;
  /** Bounded sequences first (cheap window checks), unbounded last. */
  sequences: CompiledSequence[];
  formats: FormatDef[];
  /** Literal bytes the signature pins down: a tie-breaker for "the most specific match". */
  weight: number;
}

export interface CompiledSignatures {
  signatures: CompiledSignature[];
  /**
   * Signatures that need one of a few byte values at a fixed distance from BOF (or EOF), bucketed by
   * distance and then by that byte: a file is only tried against the buckets its own bytes select.
   */
  bofKeys: KeyIndex;
  eofKeys: KeyIndex;
  /**
   * Signatures with no byte at a fixed place, each with a probe: the first two bytes of a literal
   * the file must contain (null: none), checked against the byte pairs present before matching.
   */
  unkeyed: ProbedSignature[];
  bofWindow: number;
  eofWindow: number;
  /** Some sequence must scan the whole file (a variable position or an unbounded gap). */
  hasUnbounded: boolean;
  warnings: string[];
}

/** Turns a signature set into tokens and buckets once, so files are matched without re-parsing. */
export function compileSignatures(set: SignatureSet): CompiledSignatures {
  const formatsBySignature = new Map<number, FormatDef[]>();
  for (const format of set.formats) {
    for (const id of format.signatureIds)
      formatsBySignature.set(id, [...(formatsBySignature.get(id) ?? []), format]);
  }
  const warnings: string[] = [];
  const signatures: CompiledSignature[] = [];
  const bofKeys: KeyIndex = new Map();
  const eofKeys: KeyIndex = new Map();
  const unkeyed: ProbedSignature[] = [];
  let bofWindow = 0;
  let eofWindow = 0;
  for (const definition of set.signatures) {
    const formats = formatsBySignature.get(definition.id) ?? [];
    if (formats.length === 0) continue;
    let compiled: CompiledSignature;
    try {
      compiled = compileSignature(definition, formats);
    } catch (error) {
      warnings.push(`signature ${definition.id} skipped: ${(error as Error).message}`);
      continue;
    }
    signatures.push(compiled);
    for (const sequence of compiled.sequences) {
      if (!Number.isFinite(sequence.reach)) continue;
      if (sequence.anchor === "EOF") eofWindow = Math.max(eofWindow, sequence.reach);
      else bofWindow = Math.max(bofWindow, sequence.reach);
    }
    const key = signatureKey(compiled);
    if (key === null) unkeyed.push(probeOf(compiled));
    else addToIndex(key.anchor === "BOF" ? bofKeys : eofKeys, key, compiled);
  }
  const hasUnbounded = signatures.some((s) => s.sequences.some((q) => !Number.isFinite(q.reach)));
  return { signatures, bofKeys, eofKeys, unkeyed, bofWindow, eofWindow, hasUnbounded, warnings };
}

export function compileSignature(definition: InternalSignatureDef, formats: FormatDef[]): CompiledSignature {
  const sequences = definition.sequences.map(compileSequence);
  sequences.sort((a, b) => rank(a) - rank(b));
  const weight = sequences.reduce((sum, s) => sum + literalWeight(s.tokens), 0);
  return { id: definition.id, sequences, formats, weight };
}

function rank(sequence: CompiledSequence): number {
  if (!Number.isFinite(sequence.reach)) return 3;
  return sequence.anchor === "BOF" ? 0 : sequence.anchor === "EOF" ? 1 : 2;
}

export function compileSequence(definition: ByteSequenceDef): CompiledSequence {
  const parts: Token[][] = [];
  for (const sub of definition.subsequences) {
    const pattern = parsePattern(sub.pattern);
    if (definition.anchor === "EOF") parts.push(pattern, gapToken(sub.minOffset, sub.maxOffset));
    else parts.push(gapToken(sub.minOffset, sub.maxOffset), pattern);
  }
  const tokens = concatTokens(parts);
  if (tokens.length === 0 || minSpan(tokens) === 0) throw new Error("empty byte sequence");
  return { anchor: definition.anchor, tokens, reach: maxSpan(tokens) };
}

function literalWeight(tokens: Token[]): number {
  let weight = 0;
  for (const token of tokens) {
    if (token.kind === "bytes") weight += token.bytes.length;
    else if (token.kind === "set") weight += 0.5;
    else if (token.kind === "alt") weight += Math.min(...token.options.map(literalWeight));
  }
  return weight;
}

/** Distance from the anchor → 256 buckets of signatures (by the byte found there). */
export type KeyIndex = Map<number, CompiledSignature[][]>;

interface Key {
  anchor: "BOF" | "EOF";
  /** Bytes from BOF (or back from the last byte) of the keyed byte. */
  offset: number;
  values: number[];
}

/** Sets with more values than this do not narrow the candidates enough to key on. */
const MAX_KEY_VALUES = 32;

function addToIndex(index: KeyIndex, key: Key, signature: CompiledSignature): void {
  let buckets = index.get(key.offset);
  if (!buckets) {
    buckets = Array.from({ length: 256 }, () => []);
    index.set(key.offset, buckets);
  }
  for (const value of key.values) buckets[value]!.push(signature);
}

/**
 * A byte every matching file has at a fixed distance from BOF or EOF: the first literal (or small
 * byte set) of an anchored sequence that only fixed-width tokens precede (follow, for EOF).
 */
function signatureKey(signature: CompiledSignature): Key | null {
  for (const anchor of ["BOF", "EOF"] as const) {
    for (const sequence of signature.sequences) {
      if (sequence.anchor !== anchor) continue;
      const tokens = anchor === "BOF" ? sequence.tokens : [...sequence.tokens].reverse();
      let offset = 0;
      for (const token of tokens) {
        if (token.kind === "gap") {
          if (token.min !== token.max) break;
          offset += token.min;
        } else if (token.kind === "bytes") {
          const value = anchor === "BOF" ? token.bytes[0]! : token.bytes[token.bytes.length - 1]!;
          return { anchor, offset, values: [value] };
        } else if (token.kind === "set") {
          const values: number[] = [];
          for (let b = 0; b < 256; b++) if (token.accepts[b]) values.push(b);
          if (values.length <= MAX_KEY_VALUES) return { anchor, offset, values };
          offset += 1;
        } else {
          break;
        }
      }
    }
  }
  return null;
}

/** The longest literal of two bytes or more that a match must contain, as a byte-pair probe. */
function probeOf(signature: CompiledSignature): ProbedSignature {
  let best: { bytes: Buffer; bounded: boolean } | null = null;
  for (const sequence of signature.sequences) {
    for (const token of sequence.tokens) {
      if (token.kind !== "bytes" || token.bytes.length < 2) continue;
      if (best === null || token.bytes.length > best.bytes.length) {
        best = { bytes: token.bytes, bounded: Number.isFinite(sequence.reach) };
      }
    }
  }
  if (best === null) return { signature, probe: null, probeInWindows: false };
  return { signature, probe: (best.bytes[0]! << 8) | best.bytes[1]!, probeInWindows: best.bounded };
}
