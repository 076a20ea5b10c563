import type { ByteReader } from "./reader.ts";
import { Malformed, pass, type Verdict } from "./types.ts";

/** RIFF (WAV, AVI, WebP): the RIFF size matches the file, every chunk fits; a WAVE has fmt before data. */
export async function checkRiff(r: ByteReader): Promise<Verdict> {
  const head = await r.read(12, "RIFF header");
  const magic = head.toString("latin1", 0, 4);
  if (magic !== "RIFF") throw new Malformed(`starts with ${JSON.stringify(magic)}, not RIFF`);
  const declared = head.readUInt32LE(4);
  const form = head.toString("latin1", 8, 12);
  if (declared + 8 !== r.size) {
    throw new Malformed(`RIFF size says ${declared + 8} byte(s), the file has ${r.size}`);
  }
  const order: string[] = [];
  while (r.remaining > 0) {
    const at = r.position;
    const chunk = await r.read(8, "chunk header");
    const id = chunk.toString("latin1", 0, 4);
    const size = chunk.readUInt32LE(4);
    if (!/^[\x20-\x7e]{4}$/.test(id)) throw new Malformed(`chunk at offset ${at}: invalid id`);
    if (size > r.remaining)
      throw new Malformed(`chunk "${id}" at offset ${at}: ${size} byte(s) declared, ${r.remaining} left`);
    r.skip(size, `chunk "${id}"`);
    if (size % 2 === 1 && r.remaining > 0) r.skip(1, "pad byte");
    order.push(id);
  }
  if (form === "WAVE") {
    const fmt = order.indexOf("fmt ");
    const data = order.indexOf("data");
    if (fmt < 0) throw new Malformed('WAVE without a "fmt " chunk');
    if (data < 0) throw new Malformed('WAVE without a "data" chunk');
    if (data < fmt) throw new Malformed('WAVE "data" chunk before "fmt "');
  }
  return pass(`well-formed RIFF ${form}: chunks ${order.join(", ")}`);
}
