import { createReadStream } from "node:fs";
import { ArchiveError } from "./errors.ts";
import type { SourceEntry } from "./walk.ts";

const BLOCK = 512;
const MAX_OCTAL_11 = 0o77777777777;

/**
 * A POSIX (pax) tar of the entries, as a stream of buffers: owner 0/0 without names, modes
 * 0644/0755, one mtime when given. Names that are not short ASCII get a pax `path` record;
 * sizes over 8 GiB a pax `size` record. Same input, same bytes.
 */
export async function* tarStream(
  entries: SourceEntry[],
  outFile: string,
  mtime?: Date,
): AsyncGenerator<Buffer> {
  for (const entry of entries) {
    const name = entry.kind === "dir" ? `${entry.path}/` : entry.path;
    const seconds = Math.max(0, Math.floor((mtime ?? entry.mtime).getTime() / 1000));
    const pax: Array<[string, string]> = [];
    const ascii = /^[\x20-\x7e]*$/.test(name);
    if (!ascii || Buffer.byteLength(name) > 100) pax.push(["path", name]);
    if (entry.size > MAX_OCTAL_11) pax.push(["size", String(entry.size)]);
    if (seconds > MAX_OCTAL_11) pax.push(["mtime", String(seconds)]);
    if (pax.length > 0) {
      const body = paxBody(pax);
      yield header({
        name: `PaxHeaders/${fallbackName(name)}`,
        size: body.length,
        mode: 0o644,
        mtime: 0,
        type: "x",
      });
      yield padded(body);
    }
    const mode = entry.kind === "dir" || entry.executable ? 0o755 : 0o644;
    const type = entry.kind === "dir" ? "5" : "0";
    const size = entry.kind === "dir" ? 0 : entry.size;
    yield header({
      name: fallbackName(name),
      size: Math.min(size, MAX_OCTAL_11),
      mode,
      mtime: Math.min(seconds, MAX_OCTAL_11),
      type,
    });
    if (entry.kind === "file") {
      let written = 0;
      for await (const chunk of createReadStream(entry.absolute)) {
        written += (chunk as Buffer).length;
        if (written > entry.size) break;
        yield chunk as Buffer;
      }
      if (written !== entry.size) {
        throw new ArchiveError(
          "unsupported",
          outFile,
          "file changed while it was being archived",
          entry.path,
        );
      }
      if (size % BLOCK !== 0) yield Buffer.alloc(BLOCK - (size % BLOCK));
    }
  }
  yield Buffer.alloc(BLOCK * 2);
}

interface HeaderFields {
  name: string;
  size: number;
  mode: number;
  mtime: number;
  type: string;
}

function header(fields: HeaderFields): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(fields.name, 0, 100, "utf8");
  octal(block, 100, 8, fields.mode);
  octal(block, 108, 8, 0);
  octal(block, 116, 8, 0);
  octal(block, 124, 12, fields.size);
  octal(block, 136, 12, fields.mtime);
  block.fill(0x20, 148, 156);
  block.write(fields.type, 156, 1, "latin1");
  block.write("ustar\u000000", 257, 8, "latin1");
  octal(block, 329, 8, 0);
  octal(block, 337, 8, 0);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, "0")}\u0000 `, 148, 8, "latin1");
  return block;
}

function octal(block: Buffer, offset: number, width: number, value: number): void {
  block.write(`${value.toString(8).padStart(width - 1, "0")}\u0000`, offset, width, "latin1");
}

/** pax records: "<length> key=value\n", where length counts itself. */
function paxBody(records: Array<[string, string]>): Buffer {
  const lines = records.map(([key, value]) => {
    const payload = ` ${key}=${value}\n`;
    const payloadBytes = Buffer.byteLength(payload);
    let length = payloadBytes + String(payloadBytes).length;
    if (String(length).length + payloadBytes !== length) length = payloadBytes + String(length).length;
    return `${length}${payload}`;
  });
  return Buffer.from(lines.join(""), "utf8");
}

function padded(data: Buffer): Buffer {
  const remainder = data.length % BLOCK;
  return remainder === 0 ? data : Buffer.concat([data, Buffer.alloc(BLOCK - remainder)]);
}

/** The ustar name field for readers without pax: printable ASCII, at most 100 bytes. */
function fallbackName(name: string): string {
  return name.replace(/[^\x20-\x7e]/g, "_").slice(-100);
}
