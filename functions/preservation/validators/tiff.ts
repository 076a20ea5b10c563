import type { ByteReader } from "./reader.ts";
import { Malformed, pass, type Verdict } from "./types.ts";

const TYPE_SIZES: Record<number, number> = {
  1: 1,
  2: 1,
  3: 2,
  4: 4,
  5: 8,
  6: 1,
  7: 1,
  8: 2,
  9: 4,
  10: 8,
  11: 4,
  12: 8,
  13: 4,
};
const MAX_IFDS = 10_000;

/**
 * TIFF (classic, not BigTIFF): byte order, magic 42, then every IFD in the chain: entry types known,
 * values and strips/tiles inside the file, ImageWidth/ImageLength present, no IFD loop.
 */
export async function checkTiff(r: ByteReader): Promise<Verdict> {
  const head = await r.read(8, "header");
  const order = head.toString("latin1", 0, 2);
  if (order !== "II" && order !== "MM")
    throw new Malformed(`byte order ${JSON.stringify(order)} is not II or MM`);
  const le = order === "II";
  const u16 = (b: Buffer, o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (b: Buffer, o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const magic = u16(head, 2);
  if (magic === 43) throw new Malformed("BigTIFF is not checked by this validator");
  if (magic !== 42) throw new Malformed(`magic ${magic}, not 42`);
  const seen = new Set<number>();
  let offset = u32(head, 4);
  let ifds = 0;
  while (offset !== 0) {
    if (seen.has(offset) || ifds >= MAX_IFDS) throw new Malformed(`IFD chain loops at offset ${offset}`);
    seen.add(offset);
    if (offset % 2 !== 0) throw new Malformed(`IFD at odd offset ${offset}`);
    r.seek(offset, `IFD ${ifds}`);
    const count = u16(await r.read(2, "IFD entry count"), 0);
    const entries = await r.read(count * 12, `IFD ${ifds} entries`);
    const values = new Map<number, number[]>();
    for (let i = 0; i < count; i++) {
      const e = i * 12;
      const tag = u16(entries, e);
      const type = u16(entries, e + 2);
      const n = u32(entries, e + 4);
      const size = TYPE_SIZES[type];
      if (size === undefined) throw new Malformed(`IFD ${ifds}: tag ${tag} has unknown type ${type}`);
      const bytes = size * n;
      if (bytes > 4 && u32(entries, e + 8) + bytes > r.size) {
        throw new Malformed(`IFD ${ifds}: tag ${tag} values run past the end of the file`);
      }
      if (bytes <= 4 && (type === 3 || type === 4)) {
        values.set(
          tag,
          Array.from({ length: n }, (_, k) =>
            type === 3 ? u16(entries, e + 8 + 2 * k) : u32(entries, e + 8),
          ),
        );
      } else if (type === 3 || type === 4) {
        const saved = r.position;
        r.seek(u32(entries, e + 8), `tag ${tag} values`);
        const data = await r.read(bytes, `tag ${tag} values`);
        values.set(
          tag,
          Array.from({ length: n }, (_, k) => (type === 3 ? u16(data, 2 * k) : u32(data, 4 * k))),
        );
        r.seek(saved, "IFD");
      }
    }
    if (!values.has(256) || !values.has(257))
      throw new Malformed(`IFD ${ifds}: ImageWidth or ImageLength missing`);
    checkData(values, r.size, ifds, 273, 279, "strip");
    checkData(values, r.size, ifds, 324, 325, "tile");
    offset = u32(await r.read(4, "next IFD offset"), 0);
    ifds += 1;
  }
  if (ifds === 0) throw new Malformed("no image file directory");
  return pass(
    `well-formed TIFF (${le ? "little" : "big"}-endian): ${ifds} IFD(s), image data inside the file`,
  );
}

function checkData(
  values: Map<number, number[]>,
  size: number,
  ifd: number,
  offsetsTag: number,
  countsTag: number,
  what: string,
) {
  const offsets = values.get(offsetsTag);
  if (!offsets) return;
  const counts = values.get(countsTag);
  if (!counts || counts.length !== offsets.length)
    throw new Malformed(`IFD ${ifd}: ${what} offsets without matching byte counts`);
  offsets.forEach((o, i) => {
    if (o + counts[i]! > size) throw new Malformed(`IFD ${ifd}: ${what} ${i} runs past the end of the file`);
  });
}
