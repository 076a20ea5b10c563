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
  const candidates = [...compiled.byFirstByte[view.bof[0]!]!, ...compiled.unkeyed];
  const matched: CompiledSignature[] = [];
  const pending: { signature: CompiledSignature; sequences: CompiledSequence[] }[] = [];
  for (const signature of candidates) {
    const deferred: CompiledSequence[] = [];
    let ok = true;
    for (const sequence of signature.sequences) {
      if (!view.whole && !Number.isFinite(sequence.reach)) {
        deferred.push(sequence);
        continue;
      }
      if (!matchInView(sequence, view)) {
        ok = false;
        break;
      }
    }
    if (!ok) continue;
    if (deferred.length === 0) matched.push(signature);
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

export function matchInView(sequence: CompiledSequence, view: FileView): boolean {
  const budget = new Budget();
  if (sequence.anchor === "EOF")
    return matchBackward(sequence.tokens, view.eof, view.eof.length, 0, budget) >= 0;
  return matchForward(sequence.tokens, view.bof, 0, view.bof.length, budget) >= 0;
}

/** Matches one sequence against a whole buffer (used for entries inside containers). */
export function matchBuffer(sequence: CompiledSequence, buffer: Buffer): boolean {
  return matchInView(sequence, { size: buffer.length, bof: buffer, eof: buffer, whole: true });
}
