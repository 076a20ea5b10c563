import { crc32 } from "../../archives/crc32.ts";
import type { ByteReader } from "./reader.ts";
import { Malformed, pass, type Verdict } from "./types.ts";

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** PNG: signature, every chunk's length and CRC, IHDR first, at least one IDAT, IEND last. */
export async function checkPng(r: ByteReader): Promise<Verdict> {
  if (!(await r.read(8, "PNG signature")).equals(SIGNATURE)) throw new Malformed("not a PNG signature");
  let chunks = 0;
  let sawIdat = false;
  for (;;) {
    const start = r.position;
    const header = await r.read(8, "chunk header");
    const length = header.readUInt32BE(0);
    const type = header.subarray(4, 8);
    const name = type.toString("latin1");
    if (length > 0x7fffffff) throw new Malformed(`chunk at ${start}: length ${length} too large`);
    if (!/^[A-Za-z]{4}$/.test(name))
      throw new Malformed(`chunk at ${start}: invalid type ${JSON.stringify(name)}`);
    if (chunks === 0 && name !== "IHDR") throw new Malformed(`first chunk is ${name}, not IHDR`);
    let crc = crc32(type);
    await r.stream(length, `${name} chunk data`, (piece) => {
      crc = crc32(piece, crc);
    });
    const stored = (await r.read(4, `${name} CRC`)).readUInt32BE(0);
    if (stored !== crc)
      throw new Malformed(
        `${name} chunk at offset ${start}: CRC ${hex(stored)} stored, ${hex(crc)} computed`,
      );
    chunks += 1;
    if (name === "IDAT") sawIdat = true;
    if (name === "IEND") break;
  }
  if (!sawIdat) throw new Malformed("no IDAT chunk");
  if (r.remaining > 0) throw new Malformed(`${r.remaining} byte(s) after IEND`);
  return pass(`well-formed PNG: ${chunks} chunk(s), CRCs correct`);
}

const hex = (n: number) => `0x${n.toString(16).padStart(8, "0")}`;
