import type { ByteReader } from "./reader.ts";
import { Malformed, pass, type Verdict } from "./types.ts";

/**
 * PDF structure as a reader finds it: a %PDF-n.m header, %%EOF at the end, a startxref pointing at
 * a cross-reference table ("xref" … "trailer" with /Root) or a cross-reference stream (/Type /XRef).
 */
export async function checkPdf(r: ByteReader): Promise<Verdict> {
  const head = (await r.read(Math.min(1024, r.size), "header")).toString("latin1");
  const version = /%PDF-(\d\.\d)/.exec(head);
  if (!version) throw new Malformed("no %PDF-n.m header in the first 1024 bytes");
  const tailStart = Math.max(0, r.size - 2048);
  r.seek(tailStart, "tail");
  const tail = (await r.read(r.size - tailStart, "tail")).toString("latin1");
  const eof = tail.lastIndexOf("%%EOF");
  if (eof < 0) throw new Malformed("no %%EOF marker at the end");
  const startxref = /startxref\s+(\d+)\s+%%EOF/.exec(tail.slice(tail.lastIndexOf("startxref")));
  if (!startxref) throw new Malformed("no startxref offset before %%EOF");
  const xrefOffset = Number(startxref[1]);
  if (xrefOffset >= r.size) throw new Malformed(`startxref ${xrefOffset} is past the end of the file`);
  r.seek(xrefOffset, "startxref");
  const at = (await r.read(Math.min(4096, r.size - xrefOffset), "cross-reference section")).toString(
    "latin1",
  );
  if (at.startsWith("xref")) {
    const trailer =
      tail.lastIndexOf("trailer") >= 0
        ? tail.slice(tail.lastIndexOf("trailer"))
        : at.slice(at.indexOf("trailer"));
    if (!trailer.startsWith("trailer")) throw new Malformed("cross-reference table without a trailer");
    if (!/\/Root\s+\d+\s+\d+\s+R/.test(trailer) && !/\/Prev\s+\d+/.test(trailer)) {
      throw new Malformed("trailer has no /Root");
    }
    return pass(
      `well-formed PDF ${version[1]}: header, xref table at ${xrefOffset}, trailer with /Root, %%EOF`,
    );
  }
  if (/^\d+\s+\d+\s+obj/.test(at) && /\/Type\s*\/XRef/.test(at)) {
    return pass(`well-formed PDF ${version[1]}: header, cross-reference stream at ${xrefOffset}, %%EOF`);
  }
  throw new Malformed(`startxref ${xrefOffset} points at neither "xref" nor a cross-reference stream`);
}
