/** Parses PRONOM / container-signature pattern syntax into tokens the matcher walks. */
export type Token =
  | { kind: "bytes"; bytes: Buffer }
  | { kind: "set"; accepts: Uint8Array }
  | { kind: "gap"; min: number; max: number }
  | { kind: "alt"; options: Token[][] };

export class PatternError extends Error {}

export function parsePattern(text: string): Token[] {
  const parser = new Parser(text);
  const tokens = parser.sequence(false);
  if (parser.pos < text.length) parser.fail("unexpected character");
  return tokens;
}

/** The value of a hex digit's character code, or -1 (NaN past the end is not a digit either). */
function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 65 && code <= 70) return code - 55;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
}

function isSpace(char: string): boolean {
  return char === " " || char === "\n" || char === "\t" || char === "\r";
}

class Parser {
  pos = 0;
  constructor(readonly text: string) {}

  fail(reason: string): never {
    throw new PatternError(`pattern "${this.text}": ${reason} at ${this.pos}`);
  }

  sequence(inAlternative: boolean): Token[] {
    const tokens: Token[] = [];
    while (this.pos < this.text.length) {
      const char = this.text[this.pos]!;
      if (isSpace(char)) {
        this.pos++;
      } else if (char === "|" || char === ")") {
        if (!inAlternative) this.fail(`unexpected "${char}"`);
        break;
      } else if (char === "'") {
        push(tokens, { kind: "bytes", bytes: this.quoted() });
      } else if (char === "?") {
        if (this.text[this.pos + 1] !== "?") this.fail('expected "??"');
        this.pos += 2;
        push(tokens, { kind: "gap", min: 1, max: 1 });
      } else if (char === "*") {
        this.pos++;
        push(tokens, { kind: "gap", min: 0, max: Number.POSITIVE_INFINITY });
      } else if (char === "{") {
        push(tokens, this.gap());
      } else if (char === "[") {
        push(tokens, { kind: "set", accepts: this.set() });
      } else if (char === "(") {
        push(tokens, this.alternatives());
      } else {
        // A run of hex bytes becomes one literal at once (merging byte by byte would copy it n times).
        const run = [this.hexByte()];
        while (hexDigit(this.text.charCodeAt(this.pos)) >= 0) run.push(this.hexByte());
        push(tokens, { kind: "bytes", bytes: Buffer.from(run) });
      }
    }
    return tokens;
  }

  quoted(): Buffer {
    const end = this.text.indexOf("'", this.pos + 1);
    if (end < 0) this.fail("unterminated quoted text");
    const value = Buffer.from(this.text.slice(this.pos + 1, end), "utf8");
    this.pos = end + 1;
    return value;
  }

  hexByte(): number {
    const high = hexDigit(this.text.charCodeAt(this.pos));
    const low = hexDigit(this.text.charCodeAt(this.pos + 1));
    if (high < 0 || low < 0) this.fail("expected a hex byte");
    this.pos += 2;
    return (high << 4) | low;
  }

  gap(): Token {
    const end = this.text.indexOf("}", this.pos);
    if (end < 0) this.fail('unterminated "{"');
    const body = this.text.slice(this.pos + 1, end).trim();
    this.pos = end + 1;
    const match = /^(\d+)(?:\s*-\s*(\d+|\*))?$/.exec(body);
    if (!match) this.fail(`bad gap "{${body}}"`);
    const min = Number(match[1]);
    const max = match[2] === undefined ? min : match[2] === "*" ? Number.POSITIVE_INFINITY : Number(match[2]);
    if (max < min) this.fail(`gap "{${body}}" has max < min`);
    return { kind: "gap", min, max };
  }

  /** `[...]`: items are bytes, ranges (`a:b` or `a-b`), masks (`&m` all bits, `~m` any bit); `!` negates. */
  set(): Uint8Array {
    this.pos++;
    let negate = false;
    const accepts = new Uint8Array(256);
    this.skipSpace();
    if (this.text[this.pos] === "!") {
      negate = true;
      this.pos++;
    }
    let items = 0;
    for (;;) {
      this.skipSpace();
      const char = this.text[this.pos];
      if (char === undefined) this.fail('unterminated "["');
      if (char === "]") break;
      items++;
      if (char === "&" || char === "~") {
        this.pos++;
        this.skipSpace();
        const mask = this.setByte();
        for (let b = 0; b < 256; b++)
          if (char === "&" ? (b & mask) === mask : (b & mask) !== 0) accepts[b] = 1;
        continue;
      }
      const low = this.setByte();
      this.skipSpace();
      const separator = this.text[this.pos];
      if (separator === ":" || separator === "-") {
        this.pos++;
        this.skipSpace();
        const high = this.setByte();
        for (let b = Math.min(low, high); b <= Math.max(low, high); b++) accepts[b] = 1;
      } else {
        accepts[low] = 1;
      }
    }
    this.pos++;
    if (items === 0) this.fail("empty byte set");
    if (negate) for (let b = 0; b < 256; b++) accepts[b] = accepts[b] ? 0 : 1;
    return accepts;
  }

  setByte(): number {
    if (this.text[this.pos] === "'") {
      const bytes = this.quoted();
      if (bytes.length !== 1) this.fail("a quoted byte in a set must be one character");
      return bytes[0]!;
    }
    return this.hexByte();
  }

  alternatives(): Token {
    this.pos++;
    const options: Token[][] = [];
    for (;;) {
      options.push(this.sequence(true));
      const char = this.text[this.pos];
      if (char === undefined) this.fail('unterminated "("');
      this.pos++;
      if (char === ")") break;
    }
    // Alternatives of single bytes are a byte set, which the matcher checks in one step.
    const singles = options.every(
      (o) => o.length === 1 && o[0]!.kind === "bytes" && o[0]!.bytes.length === 1,
    );
    if (singles) {
      const accepts = new Uint8Array(256);
      for (const option of options) accepts[(option[0] as { bytes: Buffer }).bytes[0]!] = 1;
      return { kind: "set", accepts };
    }
    return { kind: "alt", options };
  }

  skipSpace(): void {
    while (this.pos < this.text.length && isSpace(this.text[this.pos]!)) this.pos++;
  }
}

/** Appends a token, merging adjacent literal bytes and adjacent gaps. */
function push(tokens: Token[], token: Token): void {
  const last = tokens[tokens.length - 1];
  if (last?.kind === "bytes" && token.kind === "bytes") {
    tokens[tokens.length - 1] = { kind: "bytes", bytes: Buffer.concat([last.bytes, token.bytes]) };
  } else if (last?.kind === "gap" && token.kind === "gap") {
    tokens[tokens.length - 1] = { kind: "gap", min: last.min + token.min, max: last.max + token.max };
  } else if (!(token.kind === "gap" && token.max === 0)) {
    tokens.push(token);
  }
}

export function gapToken(min: number, max: number | null): Token[] {
  const upper = max === null ? Number.POSITIVE_INFINITY : max;
  return upper === 0 ? [] : [{ kind: "gap", min, max: upper }];
}

/** Longest number of bytes the tokens can span (Infinity when a gap is unbounded). */
export function maxSpan(tokens: Token[]): number {
  let total = 0;
  for (const token of tokens) {
    if (token.kind === "bytes") total += token.bytes.length;
    else if (token.kind === "set") total += 1;
    else if (token.kind === "gap") total += token.max;
    else total += Math.max(...token.options.map(maxSpan));
  }
  return total;
}

export function minSpan(tokens: Token[]): number {
  let total = 0;
  for (const token of tokens) {
    if (token.kind === "bytes") total += token.bytes.length;
    else if (token.kind === "set") total += 1;
    else if (token.kind === "gap") total += token.min;
    else total += Math.min(...token.options.map(minSpan));
  }
  return total;
}

/** Concatenates token lists, merging at the seams. */
export function concatTokens(lists: Token[][]): Token[] {
  const out: Token[] = [];
  for (const list of lists) for (const token of list) push(out, token);
  return out;
}
