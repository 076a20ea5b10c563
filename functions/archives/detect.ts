import { createReadStream } from "node:fs";
import fs from "node:fs/promises";
import type { Readable } from "node:stream";
import zlib from "node:zlib";
import { spawnSevenZip } from "./seven-zip.ts";
import { isTarHeader } from "./tar-header.ts";
import type { ArchiveKind } from "./types.ts";

type StreamKind = "gz" | "bz2" | "xz";

const SIGNATURES: Array<{ kind: ArchiveKind; bytes: number[] }> = [
  { kind: "zip", bytes: [0x50, 0x4b, 0x03, 0x04] },
  { kind: "zip", bytes: [0x50, 0x4b, 0x05, 0x06] }, // empty zip
  { kind: "zip", bytes: [0x50, 0x4b, 0x07, 0x08] }, // "spanned" marker before the first entry
  { kind: "7z", bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c] },
  { kind: "gz", bytes: [0x1f, 0x8b, 0x08] },
  { kind: "xz", bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
];

/**
 * The archive format of a file judged by its content, or null when it is not an archive we
 * extract (a `.zip` that holds text stays a file). gz/bz2/xz are "tar.*" when the decompressed
 * stream starts with a valid tar header.
 */
export async function detectArchive(file: string): Promise<ArchiveKind | null> {
  const head = await readHead(file, 512);
  const kind = magicKind(head);
  if (kind === null) return isTarHeader(head) ? "tar" : null;
  if (kind !== "gz" && kind !== "bz2" && kind !== "xz") return kind;
  const inner = await decompressedHead(file, kind, 512);
  return isTarHeader(inner) ? (`tar.${kind}` as ArchiveKind) : kind;
}

function magicKind(head: Buffer): ArchiveKind | null {
  for (const { kind, bytes } of SIGNATURES) {
    if (bytes.every((byte, i) => head[i] === byte)) return kind;
  }
  // "BZh" + block size digit + block magic (pi) or end-of-stream magic (sqrt pi, empty stream)
  if (head.subarray(0, 3).toString("latin1") === "BZh" && head[3]! >= 0x31 && head[3]! <= 0x39) {
    const block = head.subarray(4, 10).toString("hex");
    if (block === "314159265359" || block === "177245385090") return "bz2";
  }
  return null;
}

async function readHead(file: string, length: number): Promise<Buffer> {
  const handle = await fs.open(file, "r");
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** The first `length` decompressed bytes (fewer if the stream is short or broken). */
export async function decompressedHead(file: string, kind: StreamKind, length: number): Promise<Buffer> {
  if (kind === "gz") {
    const gunzip = zlib.createGunzip();
    const source = createReadStream(file);
    source.pipe(gunzip);
    source.on("error", (error) => gunzip.destroy(error));
    try {
      return await takeBytes(gunzip, length);
    } finally {
      source.destroy();
    }
  }
  const { child, done } = await spawnSevenZip([
    "x",
    "-so",
    "-bd",
    "-p-",
    `-t${kind === "bz2" ? "bzip2" : "xz"}`,
    file,
  ]);
  try {
    return await takeBytes(child.stdout!, length);
  } finally {
    child.kill();
    await done.catch(() => undefined);
  }
}

async function takeBytes(stream: Readable, length: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      total += (chunk as Buffer).length;
      if (total >= length) break;
    }
  } catch {
    // a broken stream is not a tar; extraction will report the corruption
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, length);
}
