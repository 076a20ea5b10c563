import { createReadStream } from "node:fs";
import { Malformed, pass, type Verdict } from "./types.ts";

/** UTF-8 text: every byte sequence decodes (no overlong forms, no surrogates); reports the first bad offset. */
export async function checkUtf8(file: string, signal: AbortSignal): Promise<Verdict> {
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let offset = 0;
  let lines = 1;
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20, signal })) {
    const bytes = chunk as Buffer;
    try {
      const text = decoder.decode(bytes, { stream: true });
      for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lines += 1;
    } catch {
      throw new Malformed(`invalid UTF-8 in the ${describe(offset, bytes.length)} (line ${lines} or after)`);
    }
    if (bytes.includes(0)) throw new Malformed(`NUL byte at offset ${offset + bytes.indexOf(0)}: not text`);
    offset += bytes.length;
  }
  try {
    decoder.decode();
  } catch {
    throw new Malformed("the file ends inside a UTF-8 sequence");
  }
  return pass(`valid UTF-8: ${offset} byte(s), ${lines} line(s)`);
}

const describe = (offset: number, length: number) => `bytes ${offset}–${offset + length - 1}`;
