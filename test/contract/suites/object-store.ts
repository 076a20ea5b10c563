import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ObjectStore } from "../../../functions/ports/object-store.ts";

const sha256 = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");

/** The ObjectStore port's contract: every adapter (local folder, S3) must pass it. */
export function objectStoreContract(name: string, make: () => Promise<ObjectStore>) {
  describe(`ObjectStore contract: ${name}`, () => {
    let store: ObjectStore;
    let dir: string;
    beforeEach(async () => {
      store = await make();
      dir = await mkdtemp(path.join(tmpdir(), "stepmatica-os-"));
    });
    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it("stores a file, reports its size and SHA-256, and reads it back byte for byte", async () => {
      const body = Buffer.from(`contract ${name}\n`.repeat(1000));
      await writeFile(path.join(dir, "in.bin"), body);
      const stored = await store.putFile("aips/a b/in.bin", path.join(dir, "in.bin"));
      const { storedBytesHashed, ...reported } = stored;
      expect(reported).toEqual({ key: "aips/a b/in.bin", size: body.length, sha256: sha256(body) });
      // Either the store hashed the bytes as stored (a folder) or it says nothing (S3).
      expect([true, undefined]).toContain(storedBytesHashed);
      expect(await store.head("aips/a b/in.bin")).toEqual({ size: body.length });
      expect(await store.sha256("aips/a b/in.bin")).toBe(sha256(body));
      await store.getToFile("aips/a b/in.bin", path.join(dir, "out.bin"));
      expect(await readFile(path.join(dir, "out.bin"))).toEqual(body);
      const chunks: Buffer[] = [];
      for await (const c of await store.openRead("aips/a b/in.bin")) chunks.push(Buffer.from(c as Buffer));
      expect(Buffer.concat(chunks)).toEqual(body);
    });

    it("reads a byte range, fewer bytes at the end and none past it (a ZIP's directory without the whole object)", async () => {
      const body = Buffer.from(Array.from({ length: 300 }, (_, i) => i % 251));
      await writeFile(path.join(dir, "r.bin"), body);
      await store.putFile("ranges/r.bin", path.join(dir, "r.bin"));
      expect(await store.readRange("ranges/r.bin", 10, 5)).toEqual(body.subarray(10, 15));
      expect(await store.readRange("ranges/r.bin", 290, 50)).toEqual(body.subarray(290));
      expect(await store.readRange("ranges/r.bin", 300, 10)).toEqual(Buffer.alloc(0));
      expect(await store.readRange("ranges/r.bin", 0, 0)).toEqual(Buffer.alloc(0));
    });

    it("refuses a put whose bytes do not match the expected SHA-256", async () => {
      await writeFile(path.join(dir, "x.txt"), "actual");
      await expect(
        store.putFile("bad/x.txt", path.join(dir, "x.txt"), { sha256: sha256("expected") }),
      ).rejects.toThrow();
      expect(await store.head("bad/x.txt")).toBeNull();
    });

    it("putting the same key again replaces it (a retried store does not duplicate)", async () => {
      await writeFile(path.join(dir, "v.txt"), "one");
      await store.putFile("again/v.txt", path.join(dir, "v.txt"));
      await writeFile(path.join(dir, "v.txt"), "two!");
      await store.putFile("again/v.txt", path.join(dir, "v.txt"));
      expect(await store.head("again/v.txt")).toEqual({ size: 4 });
      const keys: string[] = [];
      for await (const k of store.list("again/")) keys.push(k);
      expect(keys).toEqual(["again/v.txt"]);
    });

    it("a handed-over file: stored whole, kept after the file is deleted, replaced by a retry, refused when its digest is wrong", async () => {
      const first = path.join(dir, "first.txt");
      const second = path.join(dir, "second.txt");
      await writeFile(first, "handed over");
      await writeFile(second, "another body");
      const stored = await store.putFile("hand/h.txt", first, {
        sha256: sha256("handed over"),
        handOver: true,
      });
      expect(stored).toMatchObject({ key: "hand/h.txt", size: 11, sha256: sha256("handed over") });
      await store.putFile("hand/h.txt", first, { handOver: true }); // the same put retried
      await store.putFile("hand/h.txt", second, { handOver: true }); // another file under the key
      await rm(first);
      await rm(second);
      expect(await store.sha256("hand/h.txt")).toBe(sha256("another body"));
      await writeFile(path.join(dir, "wrong.txt"), "actual");
      await expect(
        store.putFile("hand/wrong.txt", path.join(dir, "wrong.txt"), { sha256: sha256("x"), handOver: true }),
      ).rejects.toThrow(/checksum mismatch/);
      const keys: string[] = [];
      for await (const k of store.list("hand/")) keys.push(k);
      expect(keys).toEqual(["hand/h.txt"]);
    });

    it("lists keys under a prefix, in order", async () => {
      await writeFile(path.join(dir, "f"), "x");
      for (const k of ["p/b", "p/a", "p/c/d", "q/z"]) await store.putFile(k, path.join(dir, "f"));
      const keys: string[] = [];
      for await (const k of store.list("p/")) keys.push(k);
      expect(keys).toEqual(["p/a", "p/b", "p/c/d"]);
    });

    it("head of a missing key is null; keys that escape are refused", async () => {
      expect(await store.head("nothing/here")).toBeNull();
      await writeFile(path.join(dir, "f"), "x");
      await expect(store.putFile("../escape", path.join(dir, "f"))).rejects.toThrow();
      await expect(store.putFile("/absolute", path.join(dir, "f"))).rejects.toThrow();
    });
  });
}
