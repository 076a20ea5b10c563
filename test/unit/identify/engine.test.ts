import { chmod, mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compileSequence } from "../../../functions/identify/compile.ts";
import { loadSignatureFile, parsePattern, parseSignatureFile } from "../../../functions/identify/index.ts";
import { matchBuffer } from "../../../functions/identify/scan.ts";
import { writeOle2, writeZip } from "./containers-writer.ts";
import { shippedIdentifier, tempDir, writeSamples } from "./samples.ts";

let dir: string;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const bof = (pattern: string, min = 0, max: number | null = min) =>
  compileSequence({ anchor: "BOF", subsequences: [{ minOffset: min, maxOffset: max, pattern }] });

describe("pattern syntax", () => {
  it.each([
    ["'AB' ?? 'D'", "ABCD", true],
    ["41 [42:43] 44", "ACD", true],
    ["41 [!42] 44", "ABD", false],
    ["41 (4242|43) 44", "ACD", true],
    ["41 (4242|43) 44", "ABBD", true],
    ["41 {2} 44", "AxxD", true],
    ["41 {1-3} 44", "AxxxxD", false],
    ["41 {1-*} 44", "AxxxxxxxD", true],
    ["41 [&03]", "A\u0007", true],
    ["41 [&03]", "A\u0005", false],
    ["41 ['a'-'c']", "Ab", true],
  ])("%s against %j → %s", (pattern, text, expected) => {
    expect(matchBuffer(bof(pattern), Buffer.from(text, "latin1"))).toBe(expected);
  });

  it("honours BOF offsets and EOF anchors", () => {
    expect(matchBuffer(bof("'PK'", 2, 4), Buffer.from("xxxPK"))).toBe(true);
    expect(matchBuffer(bof("'PK'", 0, 1), Buffer.from("xxxPK"))).toBe(false);
    const end = compileSequence({
      anchor: "EOF",
      subsequences: [{ minOffset: 0, maxOffset: 2, pattern: "'%%EOF'" }],
    });
    expect(matchBuffer(end, Buffer.from("....%%EOF\n"))).toBe(true);
    expect(matchBuffer(end, Buffer.from("%%EOF.....\n"))).toBe(false);
  });

  it("rejects malformed patterns with a clear error", () => {
    expect(() => parsePattern("41 (42|43")).toThrow(/unterminated/);
    expect(() => parsePattern("4G")).toThrow(/hex byte/);
    expect(() => parsePattern("{5-2}")).toThrow(/max < min/);
  });
});

describe("signature file loader", () => {
  it("reads fragments, priorities and any version, and reports non-DROID XML clearly", () => {
    const xml = `<?xml version="1.0"?><FFSignatureFile Version="7"><InternalSignatureCollection>
      <InternalSignature ID="1"><ByteSequence Reference="BOFoffset"><SubSequence Position="1" SubSeqMinOffset="0" SubSeqMaxOffset="0">
      <Sequence>5C616E7369</Sequence><LeftFragment MinOffset="0" MaxOffset="0" Position="1">7B5C727466</LeftFragment>
      <RightFragment MinOffset="1" MaxOffset="2" Position="1">41</RightFragment><RightFragment MinOffset="0" MaxOffset="0" Position="1">42</RightFragment>
      </SubSequence></ByteSequence></InternalSignature></InternalSignatureCollection><FileFormatCollection>
      <FileFormat ID="5" PUID="t/1" Name="Test" Version="1"><InternalSignatureID>1</InternalSignatureID><Extension>TST</Extension>
      <HasPriorityOverFileFormatID>6</HasPriorityOverFileFormatID></FileFormat></FileFormatCollection></FFSignatureFile>`;
    const set = parseSignatureFile(xml, "test.xml");
    expect(set.version).toBe("7");
    expect(set.formats[0]).toMatchObject({
      puid: "t/1",
      extensions: ["tst"],
      priorityOver: [6],
      signatureIds: [1],
    });
    const sequence = compileSequence(set.signatures[0]!.sequences[0]!);
    expect(matchBuffer(sequence, Buffer.from("{\\rtf\\ansixA"))).toBe(true);
    expect(matchBuffer(sequence, Buffer.from("{\\rtf\\ansiB"))).toBe(true);
    expect(matchBuffer(sequence, Buffer.from("{\\rtf\\ansiA"))).toBe(false);
    expect(() => parseSignatureFile("<html></html>", "x.xml")).toThrow(/FFSignatureFile/);
  });

  it("fails with the path when the file is missing", async () => {
    await expect(loadSignatureFile(join(dir, "missing.xml"))).rejects.toThrow(/missing\.xml/);
  });
});

describe("extension fallback", () => {
  it("uses the extension only for formats without signatures when no signature matches, and says so", async () => {
    const path = join(dir, "notes.csv");
    await writeFile(path, "a,b\n1,2\n");
    expect(await (await shippedIdentifier()).identify(path)).toMatchObject({
      puid: "x-fmt/18",
      basis: "extension",
    });
  });
});

describe("malformed and awkward input never crashes", () => {
  it("empty, truncated, unreadable and missing files give unidentified or a per-file error", async () => {
    const cases = join(dir, "bad");
    await mkdir(cases);
    const samples = await writeSamples(await tempDir());
    const zip = writeZip([{ name: "[Content_Types].xml", data: "x".repeat(2000) }]);
    const ole = writeOle2([{ path: "WordDocument", data: Buffer.alloc(100) }]);
    const files: Record<string, Buffer> = {
      "empty.bin": Buffer.alloc(0),
      "truncated.zip": zip.subarray(0, 60),
      "no-directory.zip": Buffer.concat([
        zip.subarray(0, zip.length - 22),
        Buffer.from("PK\u0005\u0006", "latin1"),
      ]),
      "truncated.doc": ole.subarray(0, 520),
      "garbage-ole.doc": Buffer.concat([ole.subarray(0, 512), Buffer.alloc(2048, 0xff)]),
    };
    for (const [name, data] of Object.entries(files)) await writeFile(join(cases, name), data);
    const locked = join(cases, "locked.pdf");
    await writeFile(locked, "%PDF-1.4\n%%EOF\n");
    await chmod(locked, 0o000);
    const identifier = await shippedIdentifier();
    const paths = [...Object.keys(files).map((n) => join(cases, n)), locked, join(cases, "absent"), cases];
    const results = await identifier.identifyMany([...paths, samples[0]!.path], 4);
    const byName = Object.fromEntries(results.map((r) => [r.path.split("/").pop(), r]));
    expect(byName["empty.bin"]).toMatchObject({ puid: null, basis: "unidentified", warning: "empty file" });
    // ZIP has a signature (local header at BOF, end of central directory at EOF) that a truncated file
    // fails, so, as in DROID, its .zip extension does not make it a ZIP.
    expect(byName["truncated.zip"]).toMatchObject({ puid: null, basis: "unidentified" });
    expect(byName["truncated.doc"]!.puid).toBe("fmt/111");
    expect(byName["garbage-ole.doc"]!.puid).toBe("fmt/111");
    expect(byName.absent).toMatchObject({ puid: null, basis: "error", warning: "cannot open: ENOENT" });
    expect(byName.bad).toMatchObject({ puid: null, basis: "error", warning: "not a regular file" });
    // root can read a 000 file; either way the answer is a clean per-file result.
    expect(["fmt/18", null]).toContain(byName["locked.pdf"]!.puid);
    expect(results[results.length - 1]!.puid).toBe(samples[0]!.puid);
  });

  it("identifies a large file from its BOF/EOF windows and streams variable sequences", async () => {
    const path = join(dir, "large.pdf");
    const xmp =
      '<x:xmpmeta><rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" pdfaid:conformance="B" pdfaid:part="2"/></x:xmpmeta>';
    const filler = Buffer.alloc(9 << 20, 0x20);
    await writeFile(
      path,
      Buffer.concat([Buffer.from("%PDF-1.7\n"), filler, Buffer.from(xmp), filler, Buffer.from("\n%%EOF\n")]),
    );
    expect(await (await shippedIdentifier()).identify(path)).toMatchObject({
      puid: "fmt/477",
      version: "2b",
    });
  });
});
