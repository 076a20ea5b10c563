import { concatTokens, gapToken, maxSpan, minSpan, parsePattern, type Token } from "./pattern.ts";
import type { Anchor, ByteSequenceDef, FormatDef, InternalSignatureDef, SignatureSet } from "./types.ts";

export interface CompiledSequence {
  anchor: Anchor;
  tokens: Token[];
  /** Furthest byte from its anchor the sequence can touch (Infinity: scan the file). */
  reach: number;
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
  /** Signatures whose BOF sequence must start with byte b, bucketed by b. */
  byFirstByte: CompiledSignature[][];
  /** Signatures with no fixed first byte: tried for every file. */
  unkeyed: CompiledSignature[];
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
  const byFirstByte: CompiledSignature[][] = Array.from({ length: 256 }, () => []);
  const unkeyed: CompiledSignature[] = [];
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
    const keys = firstByteKeys(compiled);
    if (keys === null) unkeyed.push(compiled);
    else for (const key of keys) byFirstByte[key]!.push(compiled);
  }
  const hasUnbounded = signatures.some((s) => s.sequences.some((q) => !Number.isFinite(q.reach)));
  return { signatures, byFirstByte, unkeyed, bofWindow, eofWindow, hasUnbounded, warnings };
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

/** The possible first bytes of a file this signature can match, or null when any byte may start it. */
function firstByteKeys(signature: CompiledSignature): number[] | null {
  for (const sequence of signature.sequences) {
    if (sequence.anchor !== "BOF") continue;
    const first = sequence.tokens[0]!;
    if (first.kind === "bytes") return [first.bytes[0]!];
    if (first.kind === "set") {
      const keys: number[] = [];
      for (let b = 0; b < 256; b++) if (first.accepts[b]) keys.push(b);
      if (keys.length <= 32) return keys;
    }
  }
  return null;
}
