import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import sharp from "sharp";

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(path.join(tmpdir(), `stepmatica-${prefix}-`));
}

/**
 * Points ClamAV's official databases at an empty folder under `root`, so that this machine's own
 * (if any) do not decide a scan: only the project's test signature is loaded. Returns what undoes it.
 */
export async function withoutOfficialClamavDatabases(root: string): Promise<() => void> {
  const saved = process.env.STEPMATICA_CLAMAV_DB_DIR;
  const empty = path.join(root, "no-official-databases");
  await mkdir(empty, { recursive: true });
  process.env.STEPMATICA_CLAMAV_DB_DIR = empty;
  return () => {
    if (saved === undefined) delete process.env.STEPMATICA_CLAMAV_DB_DIR;
    else process.env.STEPMATICA_CLAMAV_DB_DIR = saved;
  };
}

/** A PNG of the given size with a deterministic gradient. */
export async function pngBytes(width = 16, height = 12, seed = 0): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 7 + seed * 13) % 256;
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

/** A minimal, well-formed PDF 1.4 with one page saying `text`. */
export function pdfBytes(text = "stepmatica test"): Buffer {
  const stream = `BT /F1 12 Tf 20 60 Td (${text.replace(/[()\\]/g, "")}) Tj ET`;
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
  ];
  let out = "%PDF-1.4\n";
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(out));
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out);
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) out += `${String(off).padStart(10, "0")} 00000 n \n`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, "latin1");
}

/** A small mixed transfer: text, CSV, PNG, PDF, a nested folder, a name with spaces and non-ASCII. */
export async function mixedTransfer(root: string): Promise<string[]> {
  const files: Record<string, string | Buffer> = {
    "readme.txt": "A small deposit for tests.\n",
    "data/table.csv": "id,name\n1,Ada\n2,Grace\n",
    "images/photo one.png": await pngBytes(16, 12, 1),
    "docs/notice.pdf": pdfBytes("notice"),
    "docs/nested/deeper/Überblick – notes.txt": "nested, with a non-ASCII name\n",
  };
  for (const [rel, body] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), body);
  }
  return Object.keys(files).sort();
}

/** `count` small text files spread over `folders` folders. */
export async function manySmallFiles(root: string, count: number, folders = 10): Promise<void> {
  for (let f = 0; f < folders; f++) await mkdir(path.join(root, `folder-${f}`), { recursive: true });
  const writes: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    writes.push(
      writeFile(path.join(root, `folder-${i % folders}`, `file-${i}.txt`), `file ${i}\n`.repeat(1 + (i % 7))),
    );
    if (writes.length >= 200) await Promise.all(writes.splice(0));
  }
  await Promise.all(writes);
}
