import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { digestFile, digestThreadsStarted, THREAD_FROM_BYTES } from "../../../functions/core/digest.ts";
import { readChunks } from "../../../functions/core/read-chunks.ts";

// digestFile stops at a short read instead of reading until a read returns nothing: these sizes sit
// on both sides of its buffer (the file's size + 1, at most 4 MiB), and the digests are compared
// with Node's hash of the whole content read at once.
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "stepmatica-digest-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const CHUNK = 4 << 20;
const reference = (bytes: Buffer, algorithm: string) => createHash(algorithm).update(bytes).digest("hex");

describe("digestFile", () => {
  it.each([0, 1, 4095, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK + 17])(
    "a file of %i bytes: every byte hashed, size exact",
    async (size) => {
      const bytes = randomBytes(size);
      const file = path.join(dir, `f-${size}`);
      await writeFile(file, bytes);
      const { size: read, digests } = await digestFile(file, ["sha256", "md5"]);
      expect(read).toBe(size);
      expect(digests.sha256).toBe(reference(bytes, "sha256"));
      expect(digests.md5).toBe(reference(bytes, "md5"));
    },
  );
});

describe("digestFile of a large file", () => {
  it("hashes it on a thread, with the same digests and size; a small one stays here", async () => {
    const bytes = randomBytes(THREAD_FROM_BYTES + 12_345);
    const file = path.join(dir, "large");
    await writeFile(file, bytes);
    const before = digestThreadsStarted();
    const { size, digests } = await digestFile(file, ["sha256", "md5"]);
    expect(digestThreadsStarted()).toBe(before + 1);
    expect(size).toBe(bytes.length);
    expect(digests.sha256).toBe(reference(bytes, "sha256"));
    expect(digests.md5).toBe(reference(bytes, "md5"));
    const small = path.join(dir, "below-the-thread");
    await writeFile(small, randomBytes(CHUNK + 1));
    await digestFile(small);
    expect(digestThreadsStarted()).toBe(before + 1);
  });

  it("hashes no more large files on threads at once than there are cores: the others here", async () => {
    const files = await Promise.all(
      Array.from({ length: availableParallelism() + 2 }, async (_, i) => {
        const file = path.join(dir, `large-${i}`);
        await writeFile(file, Buffer.alloc(THREAD_FROM_BYTES, i));
        return file;
      }),
    );
    const before = digestThreadsStarted();
    const results = await Promise.all(files.map((file) => digestFile(file)));
    expect(digestThreadsStarted() - before).toBeLessThanOrEqual(availableParallelism());
    for (const [i, result] of results.entries())
      expect(result.digests.sha256).toBe(reference(Buffer.alloc(THREAD_FROM_BYTES, i), "sha256"));
    await Promise.all(files.map((file) => rm(file)));
  });

  it("stops at an abort with the reason, and names the file when it cannot be read", async () => {
    const file = path.join(dir, "large-aborted");
    await writeFile(file, Buffer.alloc(THREAD_FROM_BYTES));
    const controller = new AbortController();
    const started = digestThreadsStarted();
    const hashing = digestFile(file, ["sha256"], controller.signal);
    // Aborted once its thread is under way (64 MiB take it tens of milliseconds at least).
    while (digestThreadsStarted() === started) await new Promise((resolve) => setImmediate(resolve));
    controller.abort(new Error("stopped by the test"));
    await expect(hashing).rejects.toThrow("stopped by the test");
    const early = new AbortController();
    early.abort(new Error("stopped before"));
    await expect(digestFile(file, ["sha256"], early.signal)).rejects.toThrow("stopped before");
    await expect(digestFile(path.join(dir, "missing"))).rejects.toThrow(/missing/);
  });
});

describe("readChunks", () => {
  it("hands over a large file's chunks in order, and stops at an abort with the reason", async () => {
    const bytes = randomBytes(10_000);
    const file = path.join(dir, "chunks");
    await writeFile(file, bytes);
    const seen: string[] = [];
    const size = await readChunks(file, 4096, (chunk, offset) => {
      seen.push(`${offset}:${chunk.equals(bytes.subarray(offset, offset + chunk.length))}:${chunk.length}`);
    });
    expect(size).toBe(10_000);
    expect(seen).toEqual(["0:true:4096", "4096:true:4096", "8192:true:1808"]);

    const controller = new AbortController();
    const offsets: number[] = [];
    const reading = readChunks(
      file,
      4096,
      (_chunk, offset) => {
        offsets.push(offset);
        controller.abort(new Error("stopped by the test"));
      },
      controller.signal,
    );
    await expect(reading).rejects.toThrow("stopped by the test");
    expect(offsets).toEqual([0]);
  });
});
