import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { S3ObjectStore, validateKey } from "../../../functions/adapters/aws/s3-object-store.ts";
import type { ObjectStore } from "../../../functions/ports/object-store.ts";
import { type LocalS3, recordingClient, startLocalS3 } from "../../helpers/local-aws/s3-server.ts";
import { runSharedContract } from "../../helpers/local-aws/shared-contracts.ts";

const MiB = 1024 * 1024;
let s3: LocalS3;
let work: string;
let storeCount = 0;

function make(client?: S3Client): S3ObjectStore {
  return new S3ObjectStore({
    bucket: "aips",
    keyPrefix: `run-${++storeCount}/`,
    ...(client ? { client } : { clientConfig: s3.clientConfig }),
    partSizeBytes: 5 * MiB,
  });
}

/** Deterministic bytes that do not compress or repeat per part. */
function bytes(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  let block = createHash("sha256").update(String(seed)).digest();
  for (let offset = 0; offset < size; offset += block.length) {
    block.copy(out, offset);
    block = createHash("sha256").update(block).digest();
  }
  return out;
}
const sha = (data: Buffer) => createHash("sha256").update(data).digest("hex");

beforeAll(async () => {
  s3 = await startLocalS3(["aips"]);
  work = await mkdtemp(path.join(os.tmpdir(), "stepmatica-s3-test-"));
});
afterAll(async () => {
  await s3?.close();
  await rm(work, { recursive: true, force: true });
});

describe("S3ObjectStore against s3rver", () => {
  it("stores a small file with its SHA-256, and reads it back", async () => {
    const store = make();
    const data = bytes(70_000, 1);
    const local = path.join(work, "small.bin");
    await writeFile(local, data);
    const stored = await store.putFile("aip-1/data/small.bin", local, { sha256: sha(data) });
    expect(stored).toEqual({ key: "aip-1/data/small.bin", size: 70_000, sha256: sha(data) });
    expect(await store.head("aip-1/data/small.bin")).toEqual({ size: 70_000 });
    expect(await store.sha256("aip-1/data/small.bin")).toBe(sha(data));
    const copy = path.join(work, "out", "nested", "small.bin");
    await store.getToFile("aip-1/data/small.bin", copy);
    await store.getToFile("aip-1/data/small.bin", copy); // twice: same result, no leftovers
    expect(sha(await readFile(copy))).toBe(sha(data));
    expect(await readdir(path.dirname(copy))).toEqual(["small.bin"]);
    expect(store.locationOf("aip-1/data/small.bin")).toBe(`s3://aips/run-${storeCount}/aip-1/data/small.bin`);
  });

  it("uploads a large file in parts, each with its own checksum, byte-identical", async () => {
    const { client, commands } = recordingClient(s3.clientConfig);
    const store = make(client);
    const data = bytes(12 * MiB + 123, 2);
    const local = path.join(work, "large.bin");
    await writeFile(local, data);
    const stored = await store.putFile("aip-2/large.bin", local);
    expect(stored.sha256).toBe(sha(data));
    expect(commands.filter((c) => c !== "HeadObject" && c !== "GetObject")).toEqual([
      "CreateMultipartUpload",
      "UploadPart",
      "UploadPart",
      "UploadPart",
      "CompleteMultipartUpload",
    ]);
    expect(await store.head("aip-2/large.bin")).toEqual({ size: data.length });
    expect(await store.sha256("aip-2/large.bin")).toBe(sha(data));
  });

  it("aborts a failed multipart upload and leaves no object", async () => {
    const { client, commands } = recordingClient(s3.clientConfig, { command: "UploadPart", nth: 2 });
    const store = make(client);
    const local = path.join(work, "fails.bin");
    await writeFile(local, bytes(11 * MiB, 3));
    await expect(store.putFile("aip-3/fails.bin", local)).rejects.toThrow(/injected/);
    expect(commands).toContain("AbortMultipartUpload");
    expect(commands).not.toContain("CompleteMultipartUpload");
    expect(await store.head("aip-3/fails.bin")).toBeNull();
  });

  it("refuses a file whose SHA-256 is not the expected one, storing nothing", async () => {
    const store = make();
    const local = path.join(work, "wrong.bin");
    await writeFile(local, "content");
    await expect(store.putFile("x/wrong.bin", local, { sha256: "0".repeat(64) })).rejects.toThrow(
      /checksum mismatch storing x\/wrong.bin/,
    );
    expect(await store.head("x/wrong.bin")).toBeNull();
  });

  it("lists keys under a prefix across pages", async () => {
    const store = make();
    const local = path.join(work, "tiny.txt");
    await writeFile(local, "t");
    const keys = Array.from({ length: 1003 }, (_, i) => `many/${String(i).padStart(4, "0")}.txt`);
    for (let i = 0; i < keys.length; i += 50) {
      await Promise.all(keys.slice(i, i + 50).map((key) => store.putFile(key, local)));
    }
    await store.putFile("other/x.txt", local);
    const listed: string[] = [];
    for await (const key of store.list("many/")) listed.push(key);
    expect(listed).toEqual(keys);
    const all: string[] = [];
    for await (const key of store.list("")) all.push(key);
    expect(all).toHaveLength(1004);
  });

  it("answers null / a clear error for a missing object, leaving no partial file", async () => {
    const store = make();
    expect(await store.head("nope/missing.bin")).toBeNull();
    const target = path.join(work, "missing-out", "missing.bin");
    await expect(store.getToFile("nope/missing.bin", target)).rejects.toThrow(
      /object nope\/missing.bin not found at s3:\/\/aips\//,
    );
    await expect(readdir(path.dirname(target))).rejects.toThrow();
  });

  it("rejects keys outside the port's rules", async () => {
    const store = make();
    for (const key of ["", "/abs", "a/../b", "..", "a//b", "./a", "a\\b"]) {
      expect(() => validateKey(key)).toThrow(/invalid object key/);
      await expect(store.head(key)).rejects.toThrow(/invalid object key/);
    }
    expect(validateKey("a/b/c.txt")).toBe("a/b/c.txt");
  });
});

await runSharedContract<ObjectStore>("object-store", "s3 (s3rver)", async () => make());
