import type { ByteReader } from "./reader.ts";
import { Malformed, pass, type Verdict } from "./types.ts";

/** GIF: header, logical screen (and colour table), then extension and image blocks up to the trailer. */
export async function checkGif(r: ByteReader): Promise<Verdict> {
  const header = (await r.read(6, "header")).toString("latin1");
  if (header !== "GIF87a" && header !== "GIF89a")
    throw new Malformed(`header ${JSON.stringify(header)} is not GIF87a/GIF89a`);
  const screen = await r.read(7, "logical screen descriptor");
  if (screen[4]! & 0x80) r.skip(3 * 2 ** ((screen[4]! & 7) + 1), "global colour table");
  let images = 0;
  for (;;) {
    const at = r.position;
    const introducer = await r.byte("block introducer");
    if (introducer === 0x3b) break;
    if (introducer === 0x21) {
      await r.byte("extension label");
      await skipSubBlocks(r);
    } else if (introducer === 0x2c) {
      const descriptor = await r.read(9, "image descriptor");
      if (descriptor[8]! & 0x80) r.skip(3 * 2 ** ((descriptor[8]! & 7) + 1), "local colour table");
      await r.byte("LZW minimum code size");
      await skipSubBlocks(r);
      images += 1;
    } else {
      throw new Malformed(`unknown block 0x${introducer.toString(16)} at offset ${at}`);
    }
  }
  if (images === 0) throw new Malformed("no image");
  return pass(`well-formed ${header}: ${images} image(s), ends with the trailer`);
}

async function skipSubBlocks(r: ByteReader): Promise<void> {
  for (let size = await r.byte("sub-block size"); size !== 0; size = await r.byte("sub-block size")) {
    r.skip(size, "sub-block");
  }
}
