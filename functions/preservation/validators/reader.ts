import { type FileHandle, open } from "node:fs/promises";
import { Malformed } from "./types.ts";

const WINDOW = 1 << 20;

/** Sequential reads over a file through a 1 MiB window: validators never hold a whole file in memory. */
export class ByteReader {
  private window = Buffer.alloc(0);
  private windowStart = 0;
  position = 0;

  private constructor(
    private readonly handle: FileHandle,
    readonly size: number,
  ) {}

  static async open(file: string): Promise<ByteReader> {
    const handle = await open(file, "r");
    const { size } = await handle.stat();
    return new ByteReader(handle, size);
  }

  close(): Promise<void> {
    return this.handle.close();
  }

  get remaining(): number {
    return this.size - this.position;
  }

  /** Exactly n bytes from the current position, or Malformed naming what was being read. */
  async read(n: number, what: string): Promise<Buffer> {
    if (n > this.remaining) {
      throw new Malformed(
        `truncated: ${what} needs ${n} byte(s) at offset ${this.position}, ${this.remaining} left`,
      );
    }
    const offset = this.position - this.windowStart;
    if (offset < 0 || offset + n > this.window.length) {
      const length = Math.max(n, Math.min(WINDOW, this.remaining));
      const buffer = Buffer.alloc(length);
      const { bytesRead } = await this.handle.read(buffer, 0, length, this.position);
      this.window = buffer.subarray(0, bytesRead);
      this.windowStart = this.position;
    }
    const start = this.position - this.windowStart;
    this.position += n;
    return this.window.subarray(start, start + n);
  }

  async byte(what: string): Promise<number> {
    return (await this.read(1, what))[0]!;
  }

  skip(n: number, what: string): void {
    if (n > this.remaining) {
      throw new Malformed(
        `truncated: ${what} declares ${n} byte(s) at offset ${this.position}, ${this.remaining} left`,
      );
    }
    this.position += n;
  }

  seek(position: number, what: string): void {
    if (position < 0 || position > this.size)
      throw new Malformed(`${what} points to offset ${position}, outside the file (${this.size} bytes)`);
    this.position = position;
  }

  /** Feeds n bytes to `each` in window-sized pieces (for CRCs over large chunks). */
  async stream(n: number, what: string, each: (piece: Buffer) => void): Promise<void> {
    let left = n;
    if (left > this.remaining) this.skip(left, what);
    while (left > 0) {
      const piece = await this.read(Math.min(left, WINDOW), what);
      each(piece);
      left -= piece.length;
    }
  }
}

/** Runs a structural parser; Malformed becomes a fail verdict, other errors propagate. */
export async function withReader<T>(file: string, parse: (r: ByteReader) => Promise<T>): Promise<T> {
  const reader = await ByteReader.open(file);
  try {
    return await parse(reader);
  } finally {
    await reader.close();
  }
}
