import { createReadStream } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import zlib from "node:zlib";
import { crc32 } from "./crc32.ts";
import { ArchiveError } from "./errors.ts";
import type { SourceEntry } from "./walk.ts";

const ZIP64_FILE_THRESHOLD = 0xff000000; // leaves room for deflate's worst-case growth
const U32_MAX = 0xffffffff;

interface CentralRecord {
  name: Buffer;
  isDir: boolean;
  executable: boolean;
  crc: number;
  compressedSize: number;
  size: number;
  offset: number;
  zip64: boolean;
  dosTime: number;
  dosDate: number;
  unixSeconds: number;
}

/**
 * Writes a zip with positional writes: the local header is written first and its CRC and sizes
 * patched after the data has streamed through deflate, so there are no data descriptors and no
 * second read. UTF-8 names, Unix modes, UTC mtime in the "UT" extra field, zip64 when needed.
 */
export async function writeZip(
  handle: FileHandle,
  entries: SourceEntry[],
  outFile: string,
  level: number,
  mtime?: Date,
) {
  const records: CentralRecord[] = [];
  let offset = 0;
  const write = async (data: Buffer) => {
    await handle.write(data, 0, data.length, offset);
    offset += data.length;
  };
  for (const entry of entries) {
    const time = mtime ?? entry.mtime;
    const { dosTime, dosDate } = dosDateTime(time);
    const unixSeconds = Math.max(0, Math.min(U32_MAX, Math.floor(time.getTime() / 1000)));
    const isDir = entry.kind === "dir";
    const name = Buffer.from(isDir ? `${entry.path}/` : entry.path, "utf8");
    const zip64 = !isDir && entry.size >= ZIP64_FILE_THRESHOLD;
    const record: CentralRecord = {
      name,
      isDir,
      executable: entry.executable,
      crc: 0,
      compressedSize: 0,
      size: 0,
      offset,
      zip64,
      dosTime,
      dosDate,
      unixSeconds,
    };
    const extra = Buffer.concat([utExtra(unixSeconds), zip64 ? Buffer.alloc(20) : Buffer.alloc(0)]);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(zip64 ? 45 : 20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(isDir ? 0 : 8, 8);
    local.writeUInt16LE(dosTime, 10);
    local.writeUInt16LE(dosDate, 12);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(extra.length, 28);
    const headerOffset = offset;
    await write(Buffer.concat([local, name, extra]));
    if (!isDir) {
      const deflate = zlib.createDeflateRaw({ level });
      const source = createReadStream(entry.absolute);
      source.on("error", (error) => deflate.destroy(error));
      source.on("data", (chunk) => {
        record.crc = crc32(chunk as Buffer, record.crc);
        record.size += (chunk as Buffer).length;
      });
      source.pipe(deflate);
      for await (const chunk of deflate) {
        record.compressedSize += (chunk as Buffer).length;
        await write(chunk as Buffer);
      }
      if (record.size !== entry.size) {
        throw new ArchiveError(
          "unsupported",
          outFile,
          "file changed while it was being archived",
          entry.path,
        );
      }
      if (!zip64 && record.compressedSize >= U32_MAX) {
        throw new ArchiveError(
          "unsupported",
          outFile,
          "compressed entry over 4 GiB without zip64",
          entry.path,
        );
      }
      const patch = Buffer.alloc(12);
      patch.writeUInt32LE(record.crc, 0);
      patch.writeUInt32LE(zip64 ? U32_MAX : record.compressedSize, 4);
      patch.writeUInt32LE(zip64 ? U32_MAX : record.size, 8);
      await handle.write(patch, 0, 12, headerOffset + 14);
      if (zip64) {
        const sizes = Buffer.alloc(16);
        sizes.writeBigUInt64LE(BigInt(record.size), 0);
        sizes.writeBigUInt64LE(BigInt(record.compressedSize), 8);
        const zip64Extra = Buffer.concat([u16(0x0001), u16(16), sizes]);
        await handle.write(zip64Extra, 0, 20, headerOffset + 30 + name.length + 9);
      }
    }
    records.push(record);
  }
  const centralStart = offset;
  for (const record of records) await write(centralHeader(record));
  await write(endOfCentralDirectory(records.length, centralStart, offset - centralStart));
}

function centralHeader(record: CentralRecord): Buffer {
  const big: Buffer[] = [];
  if (record.zip64) big.push(u64(record.size), u64(record.compressedSize));
  const offsetIn64 = record.offset >= U32_MAX;
  if (offsetIn64) big.push(u64(record.offset));
  const zip64Extra =
    big.length > 0 ? Buffer.concat([u16(0x0001), u16(big.length * 8), ...big]) : Buffer.alloc(0);
  const extra = Buffer.concat([utExtra(record.unixSeconds), zip64Extra]);
  const mode = record.isDir ? 0o040755 : record.executable ? 0o100755 : 0o100644;
  const header = Buffer.alloc(46);
  header.writeUInt32LE(0x02014b50, 0);
  header.writeUInt16LE((3 << 8) | (big.length > 0 ? 45 : 20), 4);
  header.writeUInt16LE(big.length > 0 ? 45 : 20, 6);
  header.writeUInt16LE(0x0800, 8);
  header.writeUInt16LE(record.isDir ? 0 : 8, 10);
  header.writeUInt16LE(record.dosTime, 12);
  header.writeUInt16LE(record.dosDate, 14);
  header.writeUInt32LE(record.crc, 16);
  header.writeUInt32LE(record.zip64 ? U32_MAX : record.compressedSize, 20);
  header.writeUInt32LE(record.zip64 ? U32_MAX : record.size, 24);
  header.writeUInt16LE(record.name.length, 28);
  header.writeUInt16LE(extra.length, 30);
  header.writeUInt32LE(((mode << 16) | (record.isDir ? 0x10 : 0)) >>> 0, 38);
  header.writeUInt32LE(offsetIn64 ? U32_MAX : record.offset, 42);
  return Buffer.concat([header, record.name, extra]);
}

function endOfCentralDirectory(count: number, start: number, size: number): Buffer {
  const needs64 = count > 0xfffe || start >= U32_MAX || size >= U32_MAX;
  const parts: Buffer[] = [];
  if (needs64) {
    const record = Buffer.alloc(56);
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(44n, 4);
    record.writeUInt16LE((3 << 8) | 45, 12);
    record.writeUInt16LE(45, 14);
    record.writeBigUInt64LE(BigInt(count), 24);
    record.writeBigUInt64LE(BigInt(count), 32);
    record.writeBigUInt64LE(BigInt(size), 40);
    record.writeBigUInt64LE(BigInt(start), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(start + size), 8);
    locator.writeUInt32LE(1, 16);
    parts.push(record, locator);
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(needs64 ? 0xffff : count, 8);
  end.writeUInt16LE(needs64 ? 0xffff : count, 10);
  end.writeUInt32LE(needs64 ? U32_MAX : size, 12);
  end.writeUInt32LE(needs64 ? U32_MAX : start, 16);
  parts.push(end);
  return Buffer.concat(parts);
}

/** Extended timestamp (0x5455): the mtime in UTC seconds, read by unzip and yauzl. */
function utExtra(unixSeconds: number): Buffer {
  const extra = Buffer.alloc(9);
  extra.writeUInt16LE(0x5455, 0);
  extra.writeUInt16LE(5, 2);
  extra.writeUInt8(1, 4);
  extra.writeUInt32LE(unixSeconds, 5);
  return extra;
}

/** MS-DOS date and time, from the UTC clock so the bytes do not depend on the time zone. */
function dosDateTime(time: Date): { dosTime: number; dosDate: number } {
  const year = Math.min(2107, Math.max(1980, time.getUTCFullYear()));
  const clamped = year !== time.getUTCFullYear();
  if (clamped) return { dosTime: 0, dosDate: ((year - 1980) << 9) | (1 << 5) | 1 };
  const dosTime =
    (time.getUTCHours() << 11) | (time.getUTCMinutes() << 5) | Math.floor(time.getUTCSeconds() / 2);
  const dosDate = ((year - 1980) << 9) | ((time.getUTCMonth() + 1) << 5) | time.getUTCDate();
  return { dosTime, dosDate };
}

function u16(value: number): Buffer {
  const buffer = Buffer.alloc(2);
  buffer.writeUInt16LE(value, 0);
  return buffer;
}

function u64(value: number): Buffer {
  const buffer = Buffer.alloc(8);
  buffer.writeBigUInt64LE(BigInt(value), 0);
  return buffer;
}
