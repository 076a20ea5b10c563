import { closeSync, openSync, readSync, rmSync, writeSync } from "node:fs";
import { StringDecoder } from "node:string_decoder";

/** Bytes read back at a time. */
const READ_BYTES = 1 << 20;

/**
 * Text written to a temporary file and read back in order: a part of a document written apart
 * from the rest, then copied into it (the METS's fileSec and structMap, writeMetsFromSource). The
 * name is fixed by the caller, so a write repeated after a crash replaces the leftover.
 */
export class SpillFile {
  private readonly fd: number;
  private removed = false;

  constructor(readonly file: string) {
    this.fd = openSync(file, "w+");
  }

  readonly sink = (chunk: string): void => {
    writeSync(this.fd, chunk);
  };

  /** Hands what was written to `into`, in order, as text (characters split across reads are kept whole). */
  replay(into: (chunk: string) => void): void {
    const buffer = Buffer.allocUnsafe(READ_BYTES);
    const decoder = new StringDecoder("utf8");
    for (let position = 0; ; ) {
      const count = readSync(this.fd, buffer, 0, buffer.length, position);
      if (count === 0) break;
      position += count;
      const text = decoder.write(buffer.subarray(0, count));
      if (text.length > 0) into(text);
    }
    const rest = decoder.end();
    if (rest.length > 0) into(rest);
  }

  /** Closes and deletes the file (idempotent). */
  remove(): void {
    if (this.removed) return;
    this.removed = true;
    closeSync(this.fd);
    rmSync(this.file, { force: true });
  }
}
