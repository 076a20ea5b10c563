import { constants, createInflateRaw, inflateRawSync } from "node:zlib";
import type { ByteSource } from "./scan.ts";

/** An entry of a container, read only when a signature names it. */
export interface ContainerEntry {
  name: string;
  /** Up to `maxBytes` of the entry's content (uncompressed). */
  read(maxBytes: number): Promise<Buffer>;
}

export class ContainerError extends Error {}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX_DIRECTORY = 64 << 20;

/** Reads a ZIP's central directory (and nothing else) into entries by name. */
export async function readZipDirectory(source: ByteSource): Promise<Map<string, ContainerEntry>> {
  const tailLength = Math.min(source.size, 65_557);
  const tail = await source.read(source.size - tailLength, tailLength);
  let eocd = -1;
  for (let at = tail.length - 22; at >= 0; at--) {
    if (tail.readUInt32LE(at) === EOCD) {
      eocd = at;
      break;
    }
  }
  if (eocd < 0) throw new ContainerError("ZIP: no end-of-central-directory record");
  let count = tail.readUInt16LE(eocd + 10);
  let size = tail.readUInt32LE(eocd + 12);
  let offset = tail.readUInt32LE(eocd + 16);
  if ((offset === 0xffffffff || count === 0xffff || size === 0xffffffff) && eocd >= 20) {
    if (tail.readUInt32LE(eocd - 20) === ZIP64_LOCATOR) {
      const record = await source.read(Number(tail.readBigUInt64LE(eocd - 12)), 56);
      if (record.length < 56 || record.readUInt32LE(0) !== ZIP64_EOCD)
        throw new ContainerError("ZIP: bad ZIP64 record");
      count = Number(record.readBigUInt64LE(32));
      size = Number(record.readBigUInt64LE(40));
      offset = Number(record.readBigUInt64LE(48));
    }
  }
  if (size > MAX_DIRECTORY || offset + size > source.size)
    throw new ContainerError("ZIP: central directory out of range");
  const directory = await source.read(offset, size);
  const entries = new Map<string, ContainerEntry>();
  let at = 0;
  for (let index = 0; index < count && at + 46 <= directory.length; index++) {
    if (directory.readUInt32LE(at) !== CENTRAL) throw new ContainerError(`ZIP: bad central header ${index}`);
    const flags = directory.readUInt16LE(at + 8);
    const method = directory.readUInt16LE(at + 10);
    let compressed = directory.readUInt32LE(at + 20);
    let uncompressed = directory.readUInt32LE(at + 24);
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    let localOffset = directory.readUInt32LE(at + 42);
    const nameBytes = directory.subarray(at + 46, at + 46 + nameLength);
    const name = nameBytes.toString(flags & 0x800 ? "utf8" : "latin1");
    const extra = directory.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength);
    for (let e = 0; e + 4 <= extra.length; e += 4 + extra.readUInt16LE(e + 2)) {
      if (extra.readUInt16LE(e) !== 1) continue;
      let field = e + 4;
      const take = (): number => {
        const value = field + 8 <= extra.length ? Number(extra.readBigUInt64LE(field)) : 0;
        field += 8;
        return value;
      };
      if (uncompressed === 0xffffffff) uncompressed = take();
      if (compressed === 0xffffffff) compressed = take();
      if (localOffset === 0xffffffff) localOffset = take();
    }
    at += 46 + nameLength + extraLength + commentLength;
    if (!entries.has(name)) {
      entries.set(name, {
        name,
        read: (max) => readEntry(source, name, method, localOffset, compressed, uncompressed, max),
      });
    }
  }
  return entries;
}

async function readEntry(
  source: ByteSource,
  name: string,
  method: number,
  localOffset: number,
  compressed: number,
  uncompressed: number,
  maxBytes: number,
): Promise<Buffer> {
  const header = await source.read(localOffset, 30);
  if (header.length < 30 || header.readUInt32LE(0) !== LOCAL)
    throw new ContainerError(`ZIP: bad local header for ${name}`);
  const dataOffset = localOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  const available = Math.max(0, Math.min(compressed, source.size - dataOffset));
  if (method === 0) return source.read(dataOffset, Math.min(available, maxBytes));
  if (method !== 8) throw new ContainerError(`ZIP: ${name} uses compression method ${method}`);
  try {
    if (uncompressed <= maxBytes && available <= maxBytes) {
      // Sync flush accepts a truncated stream, so a cut-off entry yields what it has.
      return inflateRawSync(await source.read(dataOffset, available), {
        finishFlush: constants.Z_SYNC_FLUSH,
      });
    }
    return await inflateLimited(source, dataOffset, available, maxBytes);
  } catch (error) {
    throw new ContainerError(`ZIP: cannot inflate ${name}: ${(error as Error).message}`);
  }
}

/** Inflates only as much of a large entry as a signature can look at. */
async function inflateLimited(
  source: ByteSource,
  offset: number,
  length: number,
  maxBytes: number,
): Promise<Buffer> {
  const inflater = createInflateRaw({ finishFlush: constants.Z_SYNC_FLUSH });
  const parts: Buffer[] = [];
  let total = 0;
  const done = new Promise<void>((resolve, reject) => {
    inflater.on("data", (chunk: Buffer) => {
      parts.push(chunk);
      total += chunk.length;
      if (total >= maxBytes) resolve();
    });
    inflater.on("end", resolve);
    inflater.on("error", reject);
  });
  done.catch(() => undefined); // awaited below; keeps an early error from being "unhandled"
  for (let at = 0; at < length && total < maxBytes; at += 1 << 20) {
    const piece = await source.read(offset + at, Math.min(1 << 20, length - at));
    await new Promise<void>((resolve) => inflater.write(piece, () => resolve()));
  }
  if (total < maxBytes) inflater.end();
  await done;
  inflater.destroy();
  return Buffer.concat(parts).subarray(0, maxBytes);
}
