import { createHash } from "node:crypto";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";

const GS_SHARE = "/usr/share/ghostscript";

/** Ghostscript's own sRGB profile (Debian: /usr/share/ghostscript/<version>/iccprofiles/srgb.icc), if present. */
export async function findIccProfile(): Promise<string | null> {
  const versions = await readdir(GS_SHARE).catch(() => [] as string[]);
  for (const version of versions.sort().reverse()) {
    const candidate = path.join(GS_SHARE, version, "iccprofiles", "srgb.icc");
    if (
      await stat(candidate).then(
        (s) => s.isFile(),
        () => false,
      )
    )
      return candidate;
  }
  return null;
}

/** PostScript that gives the PDF/A an sRGB OutputIntent (Ghostscript's PDFA_def.ps, without its DOCINFO). */
export function pdfaDefinition(iccPath: string): string {
  const literal = iccPath.replace(/[\\()]/g, (c) => `\\${c}`);
  return [
    "%!",
    `/ICCProfile (${literal}) def`,
    "[/_objdef {icc_PDFA} /type /stream /OBJ pdfmark",
    "[{icc_PDFA} << /N 3 >> /PUT pdfmark",
    "[{icc_PDFA} ICCProfile (r) file /PUT pdfmark",
    "[/_objdef {OutputIntent_PDFA} /type /dict /OBJ pdfmark",
    "[{OutputIntent_PDFA} << /Type /OutputIntent /S /GTS_PDFA1 /DestOutputProfile {icc_PDFA} /OutputConditionIdentifier (sRGB) >> /PUT pdfmark",
    "[{Catalog} << /OutputIntents [ {OutputIntent_PDFA} ] >> /PUT pdfmark",
    "",
  ].join("\n");
}

/**
 * Ghostscript derives the trailer /ID from the time and the output name even with SOURCE_DATE_EPOCH,
 * and writes it either as hex strings or, now and then, as literal strings. For a reproducible
 * derivative the last /ID array is rewritten as two hex strings holding an MD5 of the document with
 * that array blanked. It follows every object the cross-reference table points at (trailer or
 * cross-reference stream dictionary), so no indexed offset moves.
 */
export function reproducibleId(pdf: Buffer): Buffer {
  const text = pdf.toString("latin1");
  const at = text.lastIndexOf("/ID");
  const array = at < 0 ? null : idArrayAt(text, at + 3);
  if (!array) return pdf;
  const before = text.slice(0, at);
  const after = text.slice(array.end);
  const ids = (hex: string) => `/ID [<${hex}><${hex}>]`;
  const id = createHash("md5")
    .update(Buffer.from(before + ids("0".repeat(32)) + after, "latin1"))
    .digest("hex")
    .toUpperCase();
  return Buffer.from(before + ids(id) + after, "latin1");
}

/** The end of an /ID array starting after `from`: `[` two strings (hex or literal) `]`, or null. */
function idArrayAt(text: string, from: number): { end: number } | null {
  let i = from;
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  skipSpace();
  if (text[i] !== "[") return null;
  i++;
  for (let n = 0; n < 2; n++) {
    skipSpace();
    if (text[i] === "<") {
      const close = text.indexOf(">", i);
      if (close < 0) return null;
      i = close + 1;
    } else if (text[i] === "(") {
      let depth = 0;
      for (; i < text.length; i++) {
        const c = text[i];
        if (c === "\\") i++;
        else if (c === "(") depth++;
        else if (c === ")" && --depth === 0) break;
      }
      if (i >= text.length) return null;
      i++;
    } else return null;
  }
  skipSpace();
  return text[i] === "]" ? { end: i + 1 } : null;
}
