import type { ByteReader } from "./reader.ts";
import { Malformed, pass, type Verdict } from "./types.ts";

/** Markers without a length field. */
const STANDALONE = new Set([0x01, 0xd0, 0xd1, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7]);
const SOF = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

/** JPEG: SOI, marker segments with consistent lengths, a frame header (SOF) and scans, ending in EOI. */
export async function checkJpeg(r: ByteReader): Promise<Verdict> {
  const soi = await r.read(2, "SOI");
  if (soi[0] !== 0xff || soi[1] !== 0xd8) throw new Malformed("does not start with SOI (FF D8)");
  let segments = 0;
  let frame = false;
  let scans = 0;
  for (;;) {
    const at = r.position;
    if ((await r.byte("marker")) !== 0xff) throw new Malformed(`expected a marker at offset ${at}`);
    let marker = await r.byte("marker");
    while (marker === 0xff) marker = await r.byte("marker"); // fill bytes
    if (marker === 0xd9) break; // EOI
    if (marker === 0xd8) throw new Malformed(`second SOI at offset ${at}`);
    if (STANDALONE.has(marker)) continue;
    const length = (await r.read(2, "segment length")).readUInt16BE(0);
    if (length < 2)
      throw new Malformed(`segment FF${marker.toString(16).toUpperCase()} at ${at}: length ${length} < 2`);
    r.skip(length - 2, `segment FF${marker.toString(16).toUpperCase()}`);
    segments += 1;
    if (SOF.has(marker)) frame = true;
    if (marker === 0xda) {
      if (!frame) throw new Malformed(`scan (SOS) at offset ${at} before a frame header (SOF)`);
      scans += 1;
      await skipEntropyCoded(r);
    }
  }
  if (!frame) throw new Malformed("no frame header (SOF)");
  if (scans === 0) throw new Malformed("no scan (SOS)");
  return pass(`well-formed JPEG: ${segments} segment(s), ${scans} scan(s), ends with EOI`);
}

/** Skips entropy-coded data up to the next marker that is not a stuffed byte or restart marker. */
async function skipEntropyCoded(r: ByteReader): Promise<void> {
  for (;;) {
    if (r.remaining < 2) throw new Malformed("truncated: scan data runs to the end of the file (no EOI)");
    if ((await r.byte("scan data")) !== 0xff) continue;
    const next = await r.byte("scan data");
    if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) continue;
    if (next === 0xff) {
      r.position -= 1; // fill byte: look again from the second FF
      continue;
    }
    r.position -= 2;
    return;
  }
}
