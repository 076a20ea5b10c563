import { writeFile } from "node:fs/promises";
import { join } from "node:path";

/**
 * A small DROID signature file written out by hand, one signature per feature of the syntax that the
 * official files use rarely or in a way that cannot tell a wrong reading apart (every mask in the
 * container file is a single bit, so "all bits" and "any bit" agree there). The expected answers
 * come from the DROID signature syntax, not from our parser: a file either satisfies the pattern as
 * PRONOM defines it, or it does not.
 */
const SIGNATURES: Record<string, string> = {
  // [!00]: any byte except 00.
  "test/1": `<SubSequence Position="1" SubSeqMinOffset="0" SubSeqMaxOffset="0"><Sequence>'NEG'[!00]'!'</Sequence></SubSequence>`,
  // [&0F]: all of the mask's bits set.
  "test/2": `<SubSequence Position="1" SubSeqMinOffset="0" SubSeqMaxOffset="0"><Sequence>'ALL'[&0F]</Sequence></SubSequence>`,
  // [~0F]: any of the mask's bits set.
  "test/3": `<SubSequence Position="1" SubSeqMinOffset="0" SubSeqMaxOffset="0"><Sequence>'ANY'[~0F]</Sequence></SubSequence>`,
  // Left fragments count outwards from the sequence: position 2 stands left of position 1 (anywhere).
  "test/4": `<SubSequence Position="1" SubSeqMinOffset="0"><Sequence>'SEQ'</Sequence><LeftFragment Position="1" MinOffset="0" MaxOffset="0">'L1'</LeftFragment><LeftFragment Position="2" MinOffset="0" MaxOffset="0">'L2'</LeftFragment></SubSequence>`,
  // A BOF offset of exactly 2.
  "test/5": `<SubSequence Position="1" SubSeqMinOffset="2" SubSeqMaxOffset="2"><Sequence>'OFFSET'</Sequence></SubSequence>`,
};

export const SYNTAX_SIGNATURE_FILE = "DROID_SignatureFile_V1.xml";

export function syntaxSignatureFile(): string {
  const puids = Object.keys(SIGNATURES);
  const signatures = puids
    .map(
      (puid, i) =>
        `<InternalSignature ID="${i + 1}"><ByteSequence${puid === "test/4" ? "" : ' Reference="BOFoffset"'}>${SIGNATURES[puid]}</ByteSequence></InternalSignature>`,
    )
    .join("\n");
  const formats = puids
    .map(
      (puid, i) =>
        `<FileFormat ID="${i + 1}" Name="syntax ${puid}" PUID="${puid}"><InternalSignatureID>${i + 1}</InternalSignatureID></FileFormat>`,
    )
    .join("\n");
  return `<?xml version="1.0" encoding="UTF-8"?>
<FFSignatureFile Version="1" DateCreated="2026-01-01T00:00:00" xmlns="http://www.nationalarchives.gov.uk/pronom/SignatureFile">
<InternalSignatureCollection>
${signatures}
</InternalSignatureCollection>
<FileFormatCollection>
${formats}
</FileFormatCollection>
</FFSignatureFile>
`;
}

/** Files and the answer the DROID syntax gives for each (null: no signature matches). */
export const SYNTAX_FILES: { name: string; bytes: Buffer; expected: string | null }[] = [
  { name: "neg-match.bin", bytes: Buffer.from("NEG\u0041!"), expected: "test/1" },
  { name: "neg-excluded.bin", bytes: Buffer.from("NEG\u0000!"), expected: null },
  { name: "all-bits.bin", bytes: Buffer.from([0x41, 0x4c, 0x4c, 0x1f]), expected: "test/2" },
  { name: "all-bits-one-missing.bin", bytes: Buffer.from([0x41, 0x4c, 0x4c, 0x07]), expected: null },
  { name: "any-bit.bin", bytes: Buffer.from([0x41, 0x4e, 0x59, 0x01]), expected: "test/3" },
  { name: "any-bit-none.bin", bytes: Buffer.from([0x41, 0x4e, 0x59, 0xf0]), expected: null },
  { name: "left-fragments.bin", bytes: Buffer.from("..L2L1SEQ"), expected: "test/4" },
  { name: "left-fragments-reversed.bin", bytes: Buffer.from("..L1L2SEQ"), expected: null },
  { name: "offset-2.bin", bytes: Buffer.from("..OFFSET"), expected: "test/5" },
  { name: "offset-3.bin", bytes: Buffer.from("...OFFSET"), expected: null },
];

/** Writes the signature file and the files into `dir`; returns the signature file's path. */
export async function writeSyntaxCases(dir: string): Promise<string> {
  const path = join(dir, SYNTAX_SIGNATURE_FILE);
  await writeFile(path, syntaxSignatureFile());
  for (const file of SYNTAX_FILES) await writeFile(join(dir, file.name), file.bytes);
  return path;
}
