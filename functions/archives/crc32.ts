import zlib from "node:zlib";

type Crc32 = (data: Uint8Array, previous?: number) => number;

const native = (zlib as unknown as { crc32?: Crc32 }).crc32;

let table: Uint32Array | undefined;

/** CRC-32 (IEEE), incremental: crc32(b, crc32(a)) === crc32(a+b). zlib.crc32 needs Node 20.15+. */
export const crc32: Crc32 = native ?? portableCrc32;

function portableCrc32(data: Uint8Array, previous = 0): number {
  table ??= buildTable();
  let crc = ~previous >>> 0;
  for (const byte of data) crc = table[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

function buildTable(): Uint32Array {
  const result = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    result[n] = c >>> 0;
  }
  return result;
}
