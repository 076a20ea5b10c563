import type { CompiledSequence, CompiledSignature, CompiledSignatures } from "./compile.ts";
import { Budget, matchBackward, matchForward } from "./match.ts";
import { streamSequences } from "./stream-scan.ts";

/** Random access to a file's bytes (a file handle, or a buffer already in memory). */
export interface ByteSource {
  size: number;
  read(offset: number, length: number): Promise<Buffer>;
}

/** What is in memory for a file: all of it, or a BOF and an EOF window. */
export interface FileView {
  size: number;
  bof: Buffer;
  eof: Buffer;
  whole: boolean;
}

/** Every signature that matches the file. Unbounded sequences of large files stream it once. */
export async function matchSignatures(
  compiled: CompiledSignatures,
  view: FileView,
  source: ByteSource,
): Promise<CompiledSignature[]> {
  if (view.size === 0) return [];
  const candidates: CompiledSignature[] = [];
  for (const [offset, buckets] of compiled.bofKeys) {
    if (offset < view.bof.length) candidates.push(...buckets[view.bof[offset]!]!);
  }
  for (const [offset, buckets] of compiled.eofKeys) {
    if (offset < view.eof.length) candidates.push(...buckets[view.eof[view.eof.length - 1 - offset]!]!);
  }
  const present = bytePairs(view);
  for (const { signature, probe, probeInWindows } of compiled.unkeyed) {
    if (probe === null || (!view.whole && !probeInWindows) || present.seen[probe] === present.stamp) {
      candidates.push(signature);
    }
  }
  const matched: CompiledSignature[] = [];
  const pending: { signature: CompiledSignature; sequences: CompiledSequence[] }[] = [];
  const budget = new Budget();
  for (const signature of candidates) {
    let deferred: CompiledSequence[] | null = null;
    let ok = true;
    for (const sequence of signature.sequences) {
      if (!view.whole && !Number.isFinite(sequence.reach)) {
        deferred ??= [];
        deferred.push(sequence);
        continue;
      }
      if (!matchInView(sequence, view, budget.reset())) {
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    if (deferred === null) matched.push(signature);
    else pending.push({ signature, sequences: deferred });
  }
  if (pending.length > 0) {
    const found = await streamSequences(
      pending.flatMap((entry) => entry.sequences),
      source,
    );
    for (const entry of pending)
      if (entry.sequences.every((s) => found.has(s))) matched.push(entry.signature);
  }
  return matched;
}

/** Byte pairs in memory for a file, marked with a fresh stamp (the table is shared, never cleared). */
const pairs = { seen: new Uint32Array(1 << 16), stamp: 0 };

function bytePairs(view: FileView): typeof pairs {
  pairs.stamp = (pairs.stamp + 1) >>> 0 || 1;
  if (pairs.stamp === 1) pairs.seen.fill(0);
  const { seen, stamp } = pairs;
  for (const buffer of view.whole ? [view.bof] : [view.bof, view.eof]) {
    for (let i = 0; i + 1 < buffer.length; i++) seen[(buffer[i]! << 8) | buffer[i + 1]!] = stamp;
  }
  return pairs;
}

export function matchInView(sequence: CompiledSequence, view: FileView, budget = new Budget()): boolean {
  if (sequence.anchor === "EOF")
    return matchBackward(sequence.tokens, view.eof, view.eof.length, 0, budget) >= 0;
  return matchForward(sequence.tokens, view.bof, 0, view.bof.length, budget) >= 0;
}

/** Matches one sequence against a whole buffer (used for entries inside containers). */
export function matchBuffer(sequence: CompiledSequence, buffer: Buffer): boolean {
  return matchInView(sequence, { size: buffer.length, bof: buffer, eof: buffer, whole: true });
}
