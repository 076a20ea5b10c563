import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import sharp from "sharp";
import {
  createIdentifier,
  type Identifier,
  loadSignatureFolder,
  SHIPPED_SIGNATURES_DIR,
} from "../../../functions/identify/index.ts";
import { wavBytes } from "../../helpers/media-fixtures.ts";
import { writeOle2, writeZip } from "./containers-writer.ts";

/** The official PRONOM files the project ships (the tests name the versions they were written for). */
export const DROID_FILE = join(SHIPPED_SIGNATURES_DIR, "DROID_SignatureFile_V119.xml");
export const CONTAINER_FILE = join(SHIPPED_SIGNATURES_DIR, "container-signature-20240715.xml");

let shipped: Promise<Identifier> | null = null;
/** One identifier over the shipped signature files per test file (loading them takes a moment). */
export function shippedIdentifier(): Promise<Identifier> {
  shipped ??= loadSignatureFolder().then(({ signatures, containers }) =>
    createIdentifier({ signatures, containers }),
  );
  return shipped;
}

export function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), "stepmatica-identify-"));
}

function pdf14(): Buffer {
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
  ];
  let body = "%PDF-1.4\n%\u00e2\u00e3\u00cf\u00d3\n";
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(Buffer.byteLength(body, "latin1"));
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body, "latin1");
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, "0")} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, "latin1");
}

const OOXML = "application/vnd.openxmlformats-officedocument";
function docx(): Buffer {
  return writeZip([
    {
      name: "[Content_Types].xml",
      data: `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="${OOXML}.wordprocessingml.document.main+xml"/></Types>`,
    },
    {
      name: "_rels/.rels",
      data: `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`,
    },
    {
      name: "word/document.xml",
      data: `<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Hello</w:t></w:r></w:p></w:body></w:document>`,
    },
  ]);
}

function odt(): Buffer {
  const type = "application/vnd.oasis.opendocument.text";
  return writeZip([
    { name: "mimetype", data: type, store: true },
    {
      name: "content.xml",
      data: `<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:text><text:p>Hello</text:p></office:text></office:body></office:document-content>`,
    },
    {
      name: "META-INF/manifest.xml",
      data: `<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:version="1.2" manifest:media-type="${type}"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>`,
    },
  ]);
}

function epub(): Buffer {
  return writeZip([
    { name: "mimetype", data: "application/epub+zip", store: true },
    {
      name: "META-INF/container.xml",
      data: `<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>`,
    },
    {
      name: "content.opf",
      data: `<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0"/>`,
    },
  ]);
}

function doc97(): Buffer {
  const compObj = Buffer.concat([
    Buffer.alloc(44),
    Buffer.from("\u0010\u0000\u0000\u0000Word.Document.8\u0000", "latin1"),
    Buffer.alloc(40),
  ]);
  return writeOle2([
    { path: "WordDocument", data: Buffer.concat([Buffer.from("ECA5C100", "hex"), Buffer.alloc(4996)]) },
    { path: "\u0001CompObj", data: compObj },
    { path: "\u0005SummaryInformation", data: Buffer.alloc(200) },
  ]);
}

/** Samples and the PUID DROID (V119 + container 20240715) gives each of them. */
export async function writeSamples(dir: string): Promise<{ path: string; puid: string }[]> {
  const image = sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 200, g: 20, b: 20 } } });
  const jpeg = await image.clone().jpeg().toBuffer();
  // The same JPEG with a JFIF 1.01 APP0 segment, as most cameras and editors write it.
  const app0 = Buffer.from("FFE000104A46494600010100000100010000", "hex");
  const jfif = Buffer.concat([jpeg.subarray(0, 2), app0, jpeg.subarray(2)]);
  const files: [string, Buffer, string][] = [
    ["image.png", await image.clone().png().toBuffer(), "fmt/11"],
    ["raw.jpg", jpeg, "fmt/41"],
    ["jfif.jpg", jfif, "fmt/43"],
    ["doc.pdf", pdf14(), "fmt/18"],
    ["doc.docx", docx(), "fmt/412"],
    ["doc.odt", odt(), "fmt/291"],
    ["book.epub", epub(), "fmt/483"],
    ["sound.wav", wavBytes(400), "fmt/141"],
    ["archive.zip", writeZip([{ name: "a.txt", data: "hello\n".repeat(20) }]), "x-fmt/263"],
    ["old.doc", doc97(), "fmt/40"],
  ];
  const out: { path: string; puid: string }[] = [];
  for (const [name, data, puid] of files) {
    const path = join(dir, name);
    await writeFile(path, data);
    out.push({ path, puid });
  }
  return out;
}
