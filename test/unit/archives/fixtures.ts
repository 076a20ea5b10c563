// Fixture builders for the archive tests: raw zip and tar writers that will write what no honest
// library writes (../ names, absolute names, devices, lying sizes), plus temp-dir helpers.
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { crc32 } from "../../../functions/archives/crc32.ts";
import { runSevenZip } from "../../../functions/archives/seven-zip.ts";

export async function makeTempDir(label: string): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), `stepmatica-archives-${label}-`));
}

/** Every path under dir (relative, sorted), hidden ones included: the "nothing appeared" check. */
export async function snapshot(dir: string): Promise<string[]> {
  const result: string[] = [];
  const walk = async (relative: string) => {
    for (const dirent of await fs.readdir(path.join(dir, relative), { withFileTypes: true })) {
      const entry = relative === "" ? dirent.name : `${relative}/${dirent.name}`;
      result.push(entry);
      if (dirent.isDirectory()) await walk(entry);
    }
  };
  await walk("");
  return result.sort();
}

export interface RawZipEntry {
  name: string | Buffer;
  data?: Buffer;
  /** 0 stored, 8 deflate (default), anything else is written as-is with the data stored. */
  method?: number;
  /** Unix st_mode for the external attributes (made-by Unix). */
  mode?: number;
  /** Lie about the uncompressed size in both headers. */
  declaredSize?: number;
  crc?: number;
  /** Already-deflated data (method 8); `data` is then ignored and declaredSize/crc must be given. */
  compressed?: Buffer;
}

/** A zip built byte by byte: local headers, central directory, end record. */
export function rawZip(entries: RawZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = typeof entry.name === "string" ? Buffer.from(entry.name, "utf8") : entry.name;
    const data = entry.data ?? Buffer.alloc(0);
    const method = entry.method ?? 8;
    const body = entry.compressed ?? (method === 8 ? zlib.deflateRawSync(data) : data);
    const crc = entry.crc ?? crc32(data);
    const size = entry.declaredSize ?? data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((entry.mode ?? 0o100644) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const centralDirectory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralDirectory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, centralDirectory, end]);
}

export interface RawTarEntry {
  name: string;
  /** "0" file, "1" hard link, "2" symlink, "3" char device, "4" block device, "5" dir, "6" FIFO. */
  type?: string;
  data?: Buffer;
  linkname?: string;
  mode?: number;
}

/** A ustar archive from raw 512-byte headers (names up to 100 bytes), ended by two zero blocks. */
export function rawTar(entries: RawTarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const data = entry.data ?? Buffer.alloc(0);
    const header = Buffer.alloc(512);
    header.write(entry.name, 0, 100, "utf8");
    header.write(octal(entry.mode ?? 0o644, 8), 100, "latin1");
    header.write(octal(0, 8), 108, "latin1");
    header.write(octal(0, 8), 116, "latin1");
    header.write(octal(data.length, 12), 124, "latin1");
    header.write(octal(1_600_000_000, 12), 136, "latin1");
    header.fill(0x20, 148, 156);
    header.write(entry.type ?? "0", 156, "latin1");
    header.write(entry.linkname ?? "", 157, 100, "utf8");
    header.write("ustar\u000000", 257, "latin1");
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, "0")}\u0000 `, 148, "latin1");
    blocks.push(header, data);
    if (data.length % 512 !== 0) blocks.push(Buffer.alloc(512 - (data.length % 512)));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, "0")}\u0000`;
}

/** Runs the project's 7za (through the library's resolver) and fails loudly when it fails. */
export async function sevenZip(args: string[], cwd?: string): Promise<string> {
  const { code, stdout, stderr } = await runSevenZip(args, cwd ? { cwd } : {});
  if (code !== 0) throw new Error(`7za ${args.join(" ")} failed (${code}): ${stderr}`);
  return stdout;
}

/** Writes a file and its parents. */
export async function put(file: string, content: string | Buffer): Promise<string> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, content);
  return file;
}

/** `megabytes` MiB of zeros, raw-deflated and CRC'd without ever holding them (Z_RLE is fast on zeros). */
export async function deflatedZeros(
  megabytes: number,
): Promise<{ compressed: Buffer; crc: number; size: number }> {
  const block = Buffer.alloc(1 << 20);
  const deflate = zlib.createDeflateRaw({ level: 9, strategy: zlib.constants.Z_RLE });
  const chunks: Buffer[] = [];
  deflate.on("data", (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise((resolve) => deflate.on("end", resolve));
  let crc = 0;
  for (let i = 0; i < megabytes; i++) {
    crc = crc32(block, crc);
    if (!deflate.write(block)) await new Promise((resolve) => deflate.once("drain", resolve));
  }
  deflate.end();
  await ended;
  return { compressed: Buffer.concat(chunks), crc, size: megabytes * block.length };
}

/** Deterministic bytes that do not compress (so archives are big enough to cut in half). */
export function noise(length: number, seed = 1): Buffer {
  const buffer = Buffer.alloc(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    buffer[i] = state & 0xff;
  }
  return buffer;
}
