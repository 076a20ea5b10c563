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
 * Ghostscript derives the trailer /ID from the time and the output name even with SOURCE_DATE_EPOCH;
 * for a reproducible derivative it is replaced, in place (same length, offsets unchanged), by an MD5
 * of the document with the /ID blanked.
 */
export function reproducibleId(pdf: Buffer): Buffer {
  const text = pdf.toString("latin1");
  const match = /\/ID\s*\[\s*<([0-9A-Fa-f]{32})>\s*<([0-9A-Fa-f]{32})>\s*\]/g;
  let last: RegExpExecArray | null = null;
  for (let m = match.exec(text); m; m = match.exec(text)) last = m;
  if (!last) return pdf;
  const blanked = Buffer.from(
    text.replaceAll(last[1]!, "0".repeat(32)).replaceAll(last[2]!, "0".repeat(32)),
    "latin1",
  );
  const id = createHash("md5").update(blanked).digest("hex").toUpperCase();
  return Buffer.from(text.replaceAll(last[1]!, id).replaceAll(last[2]!, id), "latin1");
}
