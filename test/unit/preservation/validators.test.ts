import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runValidator } from "../../../functions/preservation/validators/index.ts";
import type { ValidatorId } from "../../../workflows/format-policy.ts";
import { FORMAT_POLICY, familyOf } from "../../../workflows/format-policy.ts";
import { pdfBytes, pngBytes, tempDir } from "../../helpers/fixtures.ts";
import { gifBytes, jpegBytes, tiffBytes, wavBytes } from "../../helpers/media-fixtures.ts";

let dir: string;
const signal = new AbortController().signal;
beforeAll(async () => {
  dir = await tempDir("validators");
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function check(id: ValidatorId, name: string, body: Buffer | string) {
  const file = path.join(dir, name);
  await writeFile(file, body);
  const first = await runValidator(id, file, signal);
  const second = await runValidator(id, file, signal);
  expect(second).toEqual(first); // same input, same verdict
  return first;
}

const flip = (b: Buffer, at: number) => {
  const c = Buffer.from(b);
  c[at] = c[at]! ^ 0xff;
  return c;
};

describe("structural validators: a good file passes, a damaged one fails naming the problem", () => {
  it("PNG: chunk CRCs, IEND", async () => {
    const png = await pngBytes(12, 8);
    expect((await check("png-structure", "a.png", png)).outcome).toBe("pass");
    expect((await check("png-structure", "b.png", flip(png, png.indexOf("IDAT") + 6))).detail).toMatch(/CRC/);
    expect((await check("png-structure", "c.png", png.subarray(0, png.length - 12))).outcome).toBe("fail");
  });

  it("JPEG: markers, SOF, EOI", async () => {
    const jpeg = await jpegBytes();
    expect((await check("jpeg-structure", "a.jpg", jpeg)).outcome).toBe("pass");
    const cut = await check("jpeg-structure", "b.jpg", jpeg.subarray(0, jpeg.length - 2));
    expect(cut).toMatchObject({ outcome: "fail" });
    expect(cut.detail).toMatch(/EOI|truncated/);
    expect((await check("jpeg-structure", "c.jpg", Buffer.from("not a jpeg"))).outcome).toBe("fail");
  });

  it("GIF and TIFF", async () => {
    const gif = await gifBytes();
    expect((await check("gif-structure", "a.gif", gif)).outcome).toBe("pass");
    expect((await check("gif-structure", "b.gif", gif.subarray(0, gif.length - 1))).outcome).toBe("fail");
    const tiff = await tiffBytes();
    expect((await check("tiff-structure", "a.tif", tiff)).outcome).toBe("pass");
    const badOffset = Buffer.from(tiff);
    badOffset.writeUInt32LE(tiff.length + 100, 4);
    expect((await check("tiff-structure", "b.tif", badOffset)).detail).toMatch(/outside the file/);
  });

  it("WAV: RIFF size and chunks", async () => {
    const wav = wavBytes(100);
    expect((await check("riff-structure", "a.wav", wav)).outcome).toBe("pass");
    expect((await check("riff-structure", "b.wav", wav.subarray(0, wav.length - 10))).detail).toMatch(
      /RIFF size/,
    );
  });

  it("PDF: header, startxref, trailer, %%EOF", async () => {
    const pdf = pdfBytes("x");
    expect((await check("pdf-structure", "a.pdf", pdf)).outcome).toBe("pass");
    expect((await check("pdf-structure", "b.pdf", pdf.subarray(0, pdf.length - 7))).detail).toMatch(/%%EOF/);
    const wrongXref = Buffer.from(
      pdf.toString("latin1").replace(/startxref\n\d+/, "startxref\n12"),
      "latin1",
    );
    expect((await check("pdf-structure", "c.pdf", wrongXref)).detail).toMatch(/neither/);
  });

  it("XML with libxml2, UTF-8 text", async () => {
    expect((await check("xml-well-formed", "a.xml", "<a><b/></a>\n")).outcome).toBe("pass");
    expect((await check("xml-well-formed", "b.xml", "<a><b></a>\n")).outcome).toBe("fail");
    expect((await check("utf8-text", "a.txt", "Überblick – ok\n")).outcome).toBe("pass");
    const bad = await check("utf8-text", "b.txt", Buffer.from([0x61, 0x0a, 0xc3, 0x28]));
    expect(bad.outcome).toBe("fail");
  });

  it("UTF-8 text larger than one read: sequences across reads, the offset and line of a fault", async () => {
    const mib = 1 << 20;
    // "é" (2 bytes) and "€" (3 bytes) straddle the 1 MiB read boundary; 3 lines.
    const straddling = Buffer.concat([
      Buffer.alloc(mib - 1, "a"),
      Buffer.from("é\nx€\n", "utf8"),
      Buffer.alloc(mib, "b"),
    ]);
    expect(await check("utf8-text", "big.txt", straddling)).toEqual({
      outcome: "pass",
      detail: `valid UTF-8: ${straddling.length} byte(s), 3 line(s)`,
    });
    const faultInSecondRead = Buffer.concat([Buffer.alloc(mib, "a\n"), Buffer.from([0x61, 0xff, 0x61])]);
    expect((await check("utf8-text", "bad-late.txt", faultInSecondRead)).detail).toBe(
      `invalid UTF-8 in the bytes ${mib}–${mib + 2} (line ${mib / 2 + 1} or after)`,
    );
    const nulLate = Buffer.concat([Buffer.alloc(mib + 5, "a"), Buffer.from([0])]);
    expect((await check("utf8-text", "nul.txt", nulLate)).detail).toBe(
      `NUL byte at offset ${mib + 5}: not text`,
    );
    const cutShort = Buffer.concat([Buffer.alloc(10, "a"), Buffer.from("€", "utf8").subarray(0, 2)]);
    expect((await check("utf8-text", "cut.txt", cutShort)).detail).toBe(
      "the file ends inside a UTF-8 sequence",
    );
    expect((await check("utf8-text", "empty.txt", "")).detail).toBe("valid UTF-8: 0 byte(s), 1 line(s)");
  });

  it("MediaConch passes a WAV it checks", async () => {
    expect((await check("mediaconch", "m.wav", wavBytes(100))).outcome).toBe("pass");
  });
});

describe("format policy", () => {
  it("finds the family by PUID first, then MIME type, then extension", () => {
    expect(familyOf({ puid: "fmt/11", mime: null, path: "a.bin" })?.family.id).toBe("png");
    expect(familyOf({ puid: null, mime: "image/jpeg", path: "a.bin" })).toMatchObject({ basis: "mime" });
    expect(familyOf({ puid: null, mime: null, path: "objects/x.WAV" })).toMatchObject({ basis: "extension" });
    expect(familyOf({ puid: "x-fmt/263", mime: null, path: "a.png" })).toBeNull(); // PUID wins: no rule for ZIP
  });

  it("names each PUID once and gives every raster family a TIFF preservation rule or none", () => {
    const puids = FORMAT_POLICY.flatMap((f) => f.puids);
    expect(new Set(puids).size).toBe(puids.length);
    for (const id of ["png", "jpeg", "gif"]) {
      expect(FORMAT_POLICY.find((f) => f.id === id)?.preservation?.command).toBe("sharp-to-tiff");
    }
  });
});
