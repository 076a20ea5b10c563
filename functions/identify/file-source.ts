import { close, fstat, open, read } from "node:fs";
import type { ByteSource } from "./scan.ts";

export function bufferSource(buffer: Buffer): ByteSource {
  return {
    size: buffer.length,
    read: async (offset, length) => buffer.subarray(Math.max(0, offset), Math.max(0, offset + length)),
  };
}

/*
 * The file is read through the callback API with a plain descriptor: for the many small files of a
 * transfer, FileHandle's promises and objects cost more than the identification itself.
 */
export function openForReading(path: string): Promise<number> {
  return new Promise((resolve, reject) =>
    open(path, "r", (error, fd) => (error ? reject(error) : resolve(fd))),
  );
}

/** Closes without waiting: nothing reads the descriptor afterwards, and a close error changes no answer. */
export function closeQuietly(fd: number): void {
  close(fd, () => undefined);
}

export function sizeOf(fd: number): Promise<number> {
  return new Promise((resolve, reject) =>
    fstat(fd, (error, stats) => (error ? reject(error) : resolve(stats.size))),
  );
}

/** Reads up to `length` bytes at `position`; fewer only at end of file. */
export async function readAt(fd: number, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(Math.max(0, length));
  let filled = 0;
  while (filled < buffer.length) {
    const bytesRead = await new Promise<number>((resolve, reject) =>
      read(fd, buffer, filled, buffer.length - filled, position + filled, (error, count) =>
        error ? reject(error) : resolve(count),
      ),
    );
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

export function descriptorSource(fd: number, size: number): ByteSource {
  return {
    size,
    read: (offset, length) => {
      const start = Math.max(0, offset);
      return readAt(fd, start, Math.max(0, Math.min(length, size - start)));
    },
  };
}
