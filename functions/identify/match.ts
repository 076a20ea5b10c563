import type { Token } from "./pattern.ts";

/** Backtracking token matcher, forwards (from a start) and backwards (from an exclusive end). */
interface Continuation {
  tokens: Token[];
  index: number;
  next: Continuation | null;
}

/** Caps backtracking so a pathological pattern cannot stall identification. */
export class Budget {
  steps = 0;
  constructor(readonly limit = 200_000) {}
  /** Starts a new allowance (one budget object serves every sequence of a file). */
  reset(): this {
    this.steps = 0;
    return this;
  }
  spend(): boolean {
    this.steps++;
    return this.steps <= this.limit;
  }
}

/** Whether `bytes` occur in `buf` at `at` (in range): a loop beats Buffer.compare's call for short literals. */
function equalAt(buf: Buffer, at: number, bytes: Buffer): boolean {
  const length = bytes.length;
  if (length > 16) return buf.compare(bytes, 0, length, at, at + length) === 0;
  for (let k = 0; k < length; k++) if (buf[at + k] !== bytes[k]) return false;
  return true;
}

/** Returns the end of a match of `tokens` starting at `pos` (within `limit`), or -1. */
export function matchForward(
  tokens: Token[],
  buf: Buffer,
  pos: number,
  limit: number,
  budget: Budget,
): number {
  return forward(tokens, 0, buf, pos, limit, null, budget);
}

function forward(
  tokens: Token[],
  index: number,
  buf: Buffer,
  pos: number,
  limit: number,
  cont: Continuation | null,
  budget: Budget,
): number {
  let i = index;
  let p = pos;
  for (;;) {
    if (!budget.spend()) return -1;
    if (i === tokens.length) {
      if (cont === null) return p;
      return forward(cont.tokens, cont.index, buf, p, limit, cont.next, budget);
    }
    const token = tokens[i]!;
    if (token.kind === "bytes") {
      const length = token.bytes.length;
      if (p + length > limit || !equalAt(buf, p, token.bytes)) return -1;
      p += length;
      i++;
    } else if (token.kind === "set") {
      if (p >= limit || token.accepts[buf[p]!] === 0) return -1;
      p++;
      i++;
    } else if (token.kind === "alt") {
      const after: Continuation = { tokens, index: i + 1, next: cont };
      for (const option of token.options) {
        const end = forward(option, 0, buf, p, limit, after, budget);
        if (end >= 0) return end;
      }
      return -1;
    } else {
      const first = p + token.min;
      const last = Math.min(p + token.max, limit);
      if (first > limit) return -1;
      const next = tokens[i + 1];
      if (next === undefined && cont === null) return first;
      if (next?.kind === "bytes") {
        // Jump straight to the places where the next literal occurs (searching only where it may start).
        const end = Math.min(limit, last + next.bytes.length);
        const haystack = end < buf.length ? buf.subarray(0, end) : buf;
        let at = haystack.indexOf(next.bytes, first);
        while (at >= 0 && at <= last && at + next.bytes.length <= limit) {
          const end = forward(tokens, i + 1, buf, at, limit, cont, budget);
          if (end >= 0) return end;
          if (budget.steps > budget.limit) return -1;
          at = haystack.indexOf(next.bytes, at + 1);
        }
        return -1;
      }
      for (let at = first; at <= last; at++) {
        const end = forward(tokens, i + 1, buf, at, limit, cont, budget);
        if (end >= 0) return end;
        if (budget.steps > budget.limit) return -1;
      }
      return -1;
    }
  }
}

/** Returns the start of a match of `tokens` ending at `end` (not before `floor`), or -1. */
export function matchBackward(
  tokens: Token[],
  buf: Buffer,
  end: number,
  floor: number,
  budget: Budget,
): number {
  return backward(tokens, tokens.length - 1, buf, end, floor, null, budget);
}

function backward(
  tokens: Token[],
  index: number,
  buf: Buffer,
  end: number,
  floor: number,
  cont: Continuation | null,
  budget: Budget,
): number {
  let i = index;
  let p = end;
  for (;;) {
    if (!budget.spend()) return -1;
    if (i < 0) {
      if (cont === null) return p;
      return backward(cont.tokens, cont.index, buf, p, floor, cont.next, budget);
    }
    const token = tokens[i]!;
    if (token.kind === "bytes") {
      const length = token.bytes.length;
      if (p - length < floor || !equalAt(buf, p - length, token.bytes)) return -1;
      p -= length;
      i--;
    } else if (token.kind === "set") {
      if (p - 1 < floor || token.accepts[buf[p - 1]!] === 0) return -1;
      p--;
      i--;
    } else if (token.kind === "alt") {
      const after: Continuation = { tokens, index: i - 1, next: cont };
      for (const option of token.options) {
        const start = backward(option, option.length - 1, buf, p, floor, after, budget);
        if (start >= 0) return start;
      }
      return -1;
    } else {
      const first = p - token.min;
      const last = Math.max(p - token.max, floor);
      if (first < floor) return -1;
      const next = i > 0 ? tokens[i - 1] : undefined;
      if (next === undefined && cont === null) return first;
      if (next?.kind === "bytes") {
        const length = next.bytes.length;
        // Search only where the literal may sit: it ends between last and first.
        const base = Math.max(floor, last - length, 0);
        const haystack = base > 0 ? buf.subarray(base) : buf;
        let at = first - length < base ? -1 : haystack.lastIndexOf(next.bytes, first - length - base);
        while (at >= 0 && at + base + length >= last) {
          const start = backward(tokens, i - 1, buf, at + base + length, floor, cont, budget);
          if (start >= 0) return start;
          if (budget.steps > budget.limit || at === 0) return -1;
          at = haystack.lastIndexOf(next.bytes, at - 1);
        }
        return -1;
      }
      for (let at = first; at >= last; at--) {
        const start = backward(tokens, i - 1, buf, at, floor, cont, budget);
        if (start >= 0) return start;
        if (budget.steps > budget.limit) return -1;
      }
      return -1;
    }
  }
}
