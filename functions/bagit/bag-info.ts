/** bag-info.txt (RFC 8493 2.2.2): parse with continuation lines, format with folding. */
import { showPath, splitLines } from "./text.ts";
import { BAG_INFO, BagError, type BagProblem } from "./types.ts";

export interface BagInfoField {
  label: string;
  value: string;
}

/** Reserved elements the RFC says SHOULD NOT be repeated. */
const SINGLE_VALUED = ["bagging-date", "bag-size", "payload-oxum", "bag-group-identifier", "bag-count"];
const FOLD_WIDTH = 79;

/**
 * Blank lines (old tools put them between and inside entries) are warnings, as bagit-python skips
 * them. In 1.0 a label padded with spaces or a colon without a space after it is a warning too (the
 * element is still read); a line without a colon, or an indented line before any label, is a problem.
 */
export function parseBagInfo(
  text: string,
  options: { version?: string; file?: string } = {},
): { fields: BagInfoField[]; problems: BagProblem[]; warnings: BagProblem[] } {
  const file = options.file ?? BAG_INFO;
  const strict = options.version === undefined || options.version === "1.0";
  const fields: BagInfoField[] = [];
  const problems: BagProblem[] = [];
  const warnings: BagProblem[] = [];
  splitLines(text).forEach((line, index) => {
    const where = `${file}:${index + 1}`;
    if (line.trim() === "") {
      const message = line === "" ? "blank line ignored" : "blank continuation line ignored";
      warnings.push({ file: where, rule: "bag-info-syntax", message });
      return;
    }
    if (/^[ \t]/.test(line)) {
      const last = fields[fields.length - 1];
      if (!last) {
        problems.push({
          file: where,
          rule: "bag-info-syntax",
          message: "continuation line before any label",
        });
        return;
      }
      last.value = `${last.value} ${line.replace(/^[ \t]+/, "")}`;
      return;
    }
    const lenient = parseLenientLine(line);
    if (typeof lenient === "string") {
      problems.push({ file: where, rule: "bag-info-syntax", message: `${lenient}: ${showPath(line)}` });
      return;
    }
    const exact = strict ? parseStrictLine(line) : lenient;
    if (typeof exact === "string") {
      const message = `${exact} (read as "${showPath(lenient.label)}")`;
      warnings.push({ file: where, rule: "bag-info-syntax", message });
    }
    fields.push(typeof exact === "string" ? lenient : exact);
  });
  for (const label of SINGLE_VALUED) {
    const count = fields.filter((field) => field.label.toLowerCase() === label).length;
    if (count > 1) {
      const message = `${label} appears ${count} times; it SHOULD NOT be repeated`;
      warnings.push({ file, rule: "bag-info-repeated", message });
    }
  }
  return { fields, problems, warnings };
}

/** BagIt 1.0: "Label: value" with exactly one space or tab after the colon; label not padded. */
function parseStrictLine(line: string): BagInfoField | string {
  const colon = line.indexOf(":");
  if (colon <= 0) return colon === 0 ? "empty label" : "no colon separating label and value";
  const label = line.slice(0, colon);
  if (label.trim() !== label) return "label starts or ends with whitespace";
  const separator = line.charAt(colon + 1);
  if (separator !== " " && separator !== "\t") return "colon not followed by one space or tab";
  return { label, value: line.slice(colon + 2) };
}

/** Before 1.0, any whitespace around the colon is allowed and is not part of label or value. */
function parseLenientLine(line: string): BagInfoField | string {
  const colon = line.indexOf(":");
  if (colon < 0) return "no colon separating label and value";
  const label = line.slice(0, colon).trim();
  if (label === "") return "empty label";
  return { label, value: line.slice(colon + 1).replace(/^[ \t]+/, "") };
}

/** Every value of a label, matched case-insensitively (reserved names are case-insensitive). */
export function bagInfoValues(fields: readonly BagInfoField[], label: string): string[] {
  const wanted = label.toLowerCase();
  return fields.filter((field) => field.label.toLowerCase() === wanted).map((field) => field.value);
}

/** Formats fields in the given order; long values are folded at single spaces onto indented lines. */
export function formatBagInfo(fields: readonly BagInfoField[]): string {
  return fields.map((field) => `${foldLine(checkedLabel(field.label), checkedValue(field))}\n`).join("");
}

function checkedLabel(label: string): string {
  if (label === "" || /[:\r\n]/.test(label) || label.trim() !== label) {
    throw new BagError(BAG_INFO, `invalid label "${showPath(label)}": no colon, line break or outer spaces`);
  }
  return label;
}

function checkedValue(field: BagInfoField): string {
  if (/[\r\n]/.test(field.value)) {
    throw new BagError(BAG_INFO, `value of ${field.label} contains a line break`);
  }
  return field.value;
}

/**
 * Breaks only at a single space between two non-space characters, replacing that space by
 * "\n " so parseBagInfo (which joins continuation lines with one space) restores the value exactly.
 */
function foldLine(label: string, value: string): string {
  const lines: string[] = [];
  let current = `${label}: `;
  let rest = value;
  while (current.length + rest.length > FOLD_WIDTH) {
    const limit = FOLD_WIDTH - current.length;
    const breakAt = findBreak(rest, limit);
    if (breakAt < 0) break;
    lines.push(current + rest.slice(0, breakAt));
    current = " ";
    rest = rest.slice(breakAt + 1);
  }
  lines.push(current + rest);
  return lines.join("\n");
}

function findBreak(text: string, limit: number): number {
  const isBreak = (i: number) =>
    text[i] === " " && i > 0 && text[i - 1] !== " " && text[i + 1] !== " " && i + 1 < text.length;
  for (let i = Math.min(limit, text.length - 1); i > 0; i--) if (isBreak(i)) return i;
  for (let i = limit + 1; i < text.length - 1; i++) if (isBreak(i)) return i;
  return -1;
}
