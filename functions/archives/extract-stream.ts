import { createReadStream } from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import zlib from "node:zlib";
import { ArchiveError } from "./errors.ts";
import { sevenZipReason, spawnSevenZip } from "./seven-zip.ts";

export type StreamCompression = "gz" | "bz2" | "xz";

export interface DecompressedStream {
  stream: Readable;
  /** Resolves when the decompressor finished cleanly; rejects with its complaint otherwise. */
  finished(): Promise<void>;
  /** Stops the decompressor early (after a refusal). */
  stop(): void;
}

/** gz in-process (zlib); bz2 and xz through `7za x -so`, read as a stream. */
export async function openDecompressed(
  file: string,
  compression: StreamCompression,
  signal?: AbortSignal,
): Promise<DecompressedStream> {
  if (compression === "gz") {
    const input = createReadStream(file);
    const gunzip = zlib.createGunzip();
    input.on("error", (error) => gunzip.destroy(error));
    input.pipe(gunzip);
    return { stream: gunzip, finished: async () => undefined, stop: () => input.destroy() };
  }
  const type = compression === "bz2" ? "bzip2" : "xz";
  const { child, done } = await spawnSevenZip(["x", "-so", "-bd", "-p-", `-t${type}`, file], { signal });
  done.catch(() => undefined);
  return {
    stream: child.stdout!,
    finished: async () => {
      const { code, stderr } = await done;
      if (code !== 0) throw new ArchiveError("corrupt", file, sevenZipReason(stderr, code));
    },
    stop: () => {
      child.stdout?.destroy();
      child.kill();
    },
  };
}

/** Name of the single file inside a gz/bz2/xz: the archive's name without its compression suffix. */
export function decompressedName(file: string): string {
  const base = path.basename(file);
  const stripped = base.replace(/\.(gz|gzip|z|bz2|bz|bzip2|xz)$/i, "");
  return stripped === "" || (stripped.startsWith(".") && stripped.length === 1) ? `${base}.out` : stripped;
}
