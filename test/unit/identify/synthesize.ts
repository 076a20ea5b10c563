import { parsePattern, type Token } from "../../../functions/identify/pattern.ts";
import type { ByteSequenceDef, InternalSignatureDef } from "../../../functions/identify/types.ts";
import { writeOle2, writeZip } from "./containers-writer.ts";

/** Bytes plus which of them a pattern fixes (gaps are free and take the filler). */
interface Rendered {
  bytes: number[];
  fixed: boolean[];
}

function renderTokens(tokens: Token[], filler: number, out: Rendered): void {
  for (const token of tokens) {
    if (token.kind === "bytes") {
      for (const b of token.bytes) {
        out.bytes.push(b);
        out.fixed.push(true);
      }
    } else if (token.kind === "set") {
      let choice = token.accepts[filler] ? filler : token.accepts.indexOf(1);
      if (choice < 0) choice = 0;
      out.bytes.push(choice);
      out.fixed.push(true);
    } else if (token.kind === "gap") {
      for (let i = 0; i < token.min; i++) {
        out.bytes.push(filler);
        out.fixed.push(false);
      }
    } else {
      // The shortest alternative: the smallest file.
      const shortest = [...token.options].sort((a, b) => size(a) - size(b))[0]!;
      renderTokens(shortest, filler, out);
    }
  }
}

function size(tokens: Token[]): number {
  const out: Rendered = { bytes: [], fixed: [] };
  renderTokens(tokens, 0, out);
  return out.bytes.length;
}

function renderSequence(sequence: ByteSequenceDef, filler: number, skipLeadingGap: boolean): Rendered {
  const out: Rendered = { bytes: [], fixed: [] };
  sequence.subsequences.forEach((sub, index) => {
    const gap: Token[] = sub.minOffset > 0 ? [{ kind: "gap", min: sub.minOffset, max: sub.minOffset }] : [];
    const pattern = parsePattern(sub.pattern);
    if (sequence.anchor === "EOF") renderTokens([...pattern, ...gap], filler, out);
    else renderTokens([...(skipLeadingGap && index === 0 ? [] : gap), ...pattern], filler, out);
  });
  return out;
}

/** Overlays `part` at the first position >= min (and <= max) where its fixed bytes agree with the canvas. */
function overlay(canvas: Rendered, part: Rendered, min: number, max: number): void {
  let at = min;
  for (; at <= max; at++) {
    let clash = false;
    for (let i = 0; i < part.bytes.length && !clash; i++) {
      clash =
        canvas.fixed[at + i] === true && part.fixed[i] === true && canvas.bytes[at + i] !== part.bytes[i];
    }
    if (!clash) break;
  }
  at = Math.min(at, max);
  for (let i = 0; i < part.bytes.length; i++) {
    while (canvas.bytes.length <= at + i) {
      canvas.bytes.push(0);
      canvas.fixed.push(false);
    }
    if (part.fixed[i] || !canvas.fixed[at + i]) {
      canvas.bytes[at + i] = part.bytes[i]!;
      canvas.fixed[at + i] = canvas.fixed[at + i] || part.fixed[i]!;
    }
  }
}

/**
 * The smallest file satisfying a signature: BOF sequences overlaid from offset 0 (at their minimum
 * offsets), then the variable-position sequences, then the EOF sequences at their minimum distance.
 */
export function synthesize(signature: InternalSignatureDef, filler: number): Buffer {
  const canvas: Rendered = { bytes: [], fixed: [] };
  for (const sequence of signature.sequences.filter((s) => s.anchor === "BOF")) {
    const first = sequence.subsequences[0]!;
    const max = first.maxOffset === null ? first.minOffset + 4096 : first.maxOffset;
    overlay(canvas, renderSequence(sequence, filler, true), first.minOffset, Math.max(first.minOffset, max));
  }
  for (let i = 0; i < canvas.bytes.length; i++) if (!canvas.fixed[i]) canvas.bytes[i] = filler;
  const parts = [Buffer.from(canvas.bytes)];
  for (const sequence of signature.sequences.filter((s) => s.anchor === "VAR")) {
    parts.push(Buffer.from(renderSequence(sequence, filler, false).bytes));
  }
  for (const sequence of signature.sequences.filter((s) => s.anchor === "EOF")) {
    parts.push(Buffer.from(renderSequence(sequence, filler, false).bytes));
  }
  return Buffer.concat(parts);
}

/** A minimal container holding the named entries, each satisfying its first signature (or a byte). */
export function synthesizeContainer(
  type: "OLE2" | "ZIP",
  files: { path: string; signatures: InternalSignatureDef[] }[],
  filler: number,
): Buffer {
  const entries = files.map((file) => ({
    path: file.path,
    data: file.signatures[0] ? synthesize(file.signatures[0], filler) : Buffer.from([filler]),
  }));
  if (type === "ZIP") return writeZip(entries.map((e) => ({ name: e.path, data: e.data })));
  return writeOle2(entries);
}
