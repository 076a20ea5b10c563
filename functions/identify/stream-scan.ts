import type { CompiledSequence } from "./compile.ts";
import { Budget, matchForward } from "./match.ts";
import { maxSpan, type Token } from "./pattern.ts";
import type { ByteSource } from "./scan.ts";

const CHUNK = 1 << 20;
const MAX_OVERLAP = 1 << 20;

/** One unbounded sequence split at its unbounded gaps into bounded segments found one after another. */
interface SegmentState {
  sequence: CompiledSequence;
  segments: Token[][];
  /** Minimum gap before each segment (segment 0: from BOF). */
  minGaps: number[];
  anchoredFirst: boolean;
  index: number;
  from: number;
  done: boolean;
  dead: boolean;
}

/**
 * Reads the file once, chunk by chunk, finding each sequence's segments in order (earliest match
 * first, which is exact for unbounded gaps). Returns the sequences that matched.
 */
export async function streamSequences(
  sequences: CompiledSequence[],
  source: ByteSource,
): Promise<Set<CompiledSequence>> {
  const states = sequences.map(toSegments);
  const overlap = Math.min(MAX_OVERLAP, Math.max(1, ...states.flatMap((s) => s.segments.map(maxSpan))));
  let base = 0;
  let carry: Buffer = Buffer.alloc(0);
  while (base + carry.length < source.size && states.some((s) => !s.done && !s.dead)) {
    const readAt = base + carry.length;
    const fresh = await source.read(readAt, Math.min(CHUNK, source.size - readAt));
    if (fresh.length === 0) break;
    const buf = carry.length > 0 ? Buffer.concat([carry, fresh]) : fresh;
    const atEof = base + buf.length >= source.size;
    for (const state of states) if (!state.done && !state.dead) advance(state, buf, base, atEof);
    const keep = Math.min(overlap, buf.length);
    base += buf.length - keep;
    carry = buf.subarray(buf.length - keep);
  }
  return new Set(states.filter((s) => s.done).map((s) => s.sequence));
}

function toSegments(sequence: CompiledSequence): SegmentState {
  const tokens = [...sequence.tokens];
  // An unbounded EOF sequence can sit anywhere: search it like a variable one.
  if (sequence.anchor === "EOF" && tokens[tokens.length - 1]?.kind === "gap") tokens.pop();
  const segments: Token[][] = [];
  const minGaps: number[] = [];
  let current: Token[] = [];
  let gapBefore = 0;
  let anchoredFirst = true;
  for (const token of tokens) {
    if (token.kind === "gap" && !Number.isFinite(token.max)) {
      if (current.length > 0) {
        segments.push(current);
        minGaps.push(gapBefore);
        current = [];
      } else if (segments.length === 0) {
        anchoredFirst = false;
      }
      gapBefore = token.min;
    } else {
      current.push(token);
    }
  }
  if (current.length > 0) {
    segments.push(current);
    minGaps.push(gapBefore);
  }
  return {
    sequence,
    segments,
    minGaps,
    anchoredFirst,
    index: 0,
    from: minGaps[0] ?? 0,
    done: false,
    dead: false,
  };
}

function advance(state: SegmentState, buf: Buffer, base: number, atEof: boolean): void {
  const budget = new Budget(2_000_000);
  while (state.index < state.segments.length) {
    const segment = state.segments[state.index]!;
    if (state.index === 0 && state.anchoredFirst) {
      const end = base === 0 ? matchForward(segment, buf, 0, buf.length, budget) : -1;
      if (end < 0) {
        state.dead = true;
        return;
      }
      next(state, base + end);
      continue;
    }
    const span = maxSpan(segment);
    const lastStart = atEof ? buf.length - 1 : buf.length - span;
    const found = findSegment(segment, buf, Math.max(0, state.from - base), lastStart, budget);
    if (found === null) {
      if (atEof) state.dead = true;
      else state.from = Math.max(state.from, base + lastStart + 1);
      return;
    }
    next(state, base + found);
  }
}

function next(state: SegmentState, end: number): void {
  state.index++;
  if (state.index >= state.segments.length) state.done = true;
  else state.from = end + state.minGaps[state.index]!;
}

/** End (relative to buf) of the earliest match starting in [from, lastStart], or null. */
function findSegment(
  segment: Token[],
  buf: Buffer,
  from: number,
  lastStart: number,
  budget: Budget,
): number | null {
  const first = segment[0]!;
  let at = from;
  while (at <= lastStart) {
    if (first.kind === "bytes") {
      at = buf.indexOf(first.bytes, at);
      if (at < 0 || at > lastStart) return null;
    }
    const end = matchForward(segment, buf, at, buf.length, budget);
    if (end >= 0) return end;
    if (budget.steps > budget.limit) return null;
    at++;
  }
  return null;
}
