import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import sharp from "sharp";
import { createArchive } from "../../../functions/archives/index.ts";
import { EICAR } from "../../../functions/tools/clamav-databases.ts";
import { pdfBytes, pngBytes } from "../../helpers/fixtures.ts";
import { wavBytes } from "../../helpers/media-fixtures.ts";
import { deflatedZeros, rawTar, rawZip } from "../archives/fixtures.ts";

export { EICAR };

export async function put(file: string, content: string | Buffer): Promise<string> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
  return file;
}

/** A minimal Word document: a zip holding the OOXML parts. */
export function docxBytes(): Buffer {
  const entry = (name: string, text: string) => ({ name, data: Buffer.from(text), method: 8 });
  return rawZip([
    entry(
      "[Content_Types].xml",
      '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
    ),
    entry(
      "_rels/.rels",
      '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>',
    ),
    entry(
      "word/document.xml",
      '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>stepmatica</w:t></w:r></w:p></w:body></w:document>',
    ),
  ]);
}

export async function jpegBytes(): Promise<Buffer> {
  return sharp(await pngBytes(16, 12, 3))
    .jpeg({ quality: 80 })
    .toBuffer();
}

/**
 * outer.zip ⊃ (middle.tar.gz ⊃ (inner.zip ⊃ deep.txt) + middle.txt) + outer.txt, built in `work`.
 * Returns the zip's bytes and the files the extraction must produce (relative to the zip's folder).
 */
export async function nestedPackage(
  work: string,
): Promise<{ zip: Buffer; contents: Record<string, string> }> {
  const inner = path.join(work, "inner");
  await put(path.join(inner, "deep.txt"), "three levels down\n");
  const middle = path.join(work, "middle");
  await createArchive(inner, path.join(middle, "inner.zip"), "zip", { mtime: new Date(0) });
  await put(path.join(middle, "middle.txt"), "two levels down\n");
  const outer = path.join(work, "outer");
  await createArchive(middle, path.join(outer, "middle.tar.gz"), "tar.gz", { mtime: new Date(0) });
  await put(path.join(outer, "outer.txt"), "one level down\n");
  const zipFile = path.join(work, "outer.zip");
  await createArchive(outer, zipFile, "zip", { mtime: new Date(0) });
  const zip = await readFile(zipFile);
  await rm(zipFile);
  return {
    zip,
    contents: {
      "outer.txt": "one level down\n",
      "middle/middle.txt": "two levels down\n",
      "middle/inner/deep.txt": "three levels down\n",
    },
  };
}

/** The mixed deposit of the end-to-end test (EICAR optional). Returns the files written, relative. */
export async function preservationDeposit(root: string, work: string, withEicar: boolean) {
  const nested = await nestedPackage(work);
  const files: Record<string, string | Buffer> = {
    "packages/outer.zip": nested.zip,
    "images/picture.png": await pngBytes(16, 12, 5),
    "images/photo.jpg": await jpegBytes(),
    "docs/report.pdf": pdfBytes("report"),
    "audio/tone.wav": wavBytes(80),
    "docs/letter.docx": docxBytes(),
    "data/table.csv": "id,name\n1,Ada\n2,Grace\n",
    "docs/not-really.zip": "this file only looks like a package\n",
  };
  if (withEicar) files["suspicious/eicar.com"] = EICAR;
  for (const [rel, body] of Object.entries(files)) await put(path.join(root, rel), body);
  return { files, nested: nested.contents };
}

/** Refused packages: each a zip or tar that functions/archives must refuse, with the reason's words. */
export async function refusedPackages(): Promise<Array<{ name: string; bytes: Buffer; reason: RegExp }>> {
  const zeros = await deflatedZeros(4);
  const good = rawZip([{ name: "ok.txt", data: Buffer.from("fine\n") }]);
  return [
    {
      name: "slip.zip",
      bytes: rawZip([{ name: "../../escaped.txt", data: Buffer.from("out\n") }]),
      reason: /unsafe path in archive: slip\.zip: \.\.\/\.\.\/escaped\.txt/,
    },
    {
      name: "link.tar",
      bytes: rawTar([
        { name: "link", type: "2", linkname: "../../../etc/passwd" },
        { name: "link/owned.txt", data: Buffer.from("x\n") },
      ]),
      reason: /link escapes the archive: link\.tar: link/,
    },
    {
      name: "bomb.zip",
      bytes: rawZip([
        { name: "zeros.bin", compressed: zeros.compressed, crc: zeros.crc, declaredSize: 1000 },
      ]),
      reason: /archive bomb refused: bomb\.zip: zeros\.bin/,
    },
    {
      name: "corrupt.zip",
      bytes: Buffer.concat([good.subarray(0, 40), Buffer.alloc(30, 0x41), good.subarray(good.length - 22)]),
      reason: /corrupt archive: corrupt\.zip/,
    },
  ];
}
