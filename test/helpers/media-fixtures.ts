import sharp from "sharp";

/** A mono 16-bit PCM WAV of `samples` samples of a deterministic tone. */
export function wavBytes(samples = 800, rate = 8000): Buffer {
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++)
    data.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), i * 2);
  const header = Buffer.alloc(44);
  header.write("RIFF", 0, "latin1");
  header.writeUInt32LE(36 + data.length, 4);
  header.write("WAVEfmt ", 8, "latin1");
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write("data", 36, "latin1");
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/** A small JPEG with a deterministic gradient. */
export async function jpegBytes(width = 20, height = 10): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 5) % 256;
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .jpeg({ quality: 90 })
    .toBuffer();
}

/** A small GIF and TIFF made by sharp. */
export async function gifBytes(): Promise<Buffer> {
  const raw = Buffer.alloc(8 * 8 * 3, 120);
  return sharp(raw, { raw: { width: 8, height: 8, channels: 3 } })
    .gif()
    .toBuffer();
}

export async function tiffBytes(): Promise<Buffer> {
  const raw = Buffer.alloc(8 * 6 * 3, 60);
  return sharp(raw, { raw: { width: 8, height: 6, channels: 3 } })
    .tiff()
    .toBuffer();
}
