import path from "node:path";
import { readManifest } from "../bagit/index.ts";
import { mapLimit } from "../core/concurrency.ts";
import { digestFile } from "../core/digest.ts";
import type { TaskModule } from "../core/task-module.ts";
import type { StoredObject } from "../ports/object-store.ts";
import { absolute, aipName, bagWorkingPath, compressedExtension } from "./aip-layout.ts";
import { fileEvent } from "./events.ts";
import { listRegularFiles } from "./fs-walk.ts";
import { checkFixity, STORE_CONCURRENCY } from "./stored-fixity.ts";

/**
 * Stores the AIP (a folder of files, or one compressed file) in the AIP store under keys derived
 * from the AIP's uuid, so a retry overwrites rather than duplicates; then compares every stored
 * object's SHA-256 with what was bagged (fixity after storing): the digest of the bytes as the
 * store wrote them where it read them back itself, else the object read again from the store.
 */
export const storeAip: TaskModule = {
  name: "store-aip",
  command: "store-aip",
  async run(ctx) {
    const name = aipName(ctx.unit);
    const ext = compressedExtension(ctx.config.aip_compression);
    const bagDir = absolute(ctx.workRoot, bagWorkingPath(ctx.unit));
    let key: string;
    let expected: Map<string, string>;
    let stored: StoredObject[];
    if (ext) {
      key = `${name}.${ext}`;
      const local = `${bagDir}.${ext}`;
      const { digests } = await digestFile(local, ["sha256"], ctx.signal);
      expected = new Map([[key, digests.sha256!]]);
      stored = [await ctx.objects.putFile(key, local, { sha256: digests.sha256!, handOver: true })];
    } else {
      key = name;
      expected = await expectedDigests(bagDir, name);
      stored = await mapLimit([...expected], STORE_CONCURRENCY, async ([objectKey, sha256]) => {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        const rel = objectKey.slice(name.length + 1);
        // The bag is not written again (clean-up deletes it): the store may keep its files themselves.
        return ctx.objects.putFile(objectKey, path.join(bagDir, ...rel.split("/")), {
          sha256,
          handOver: true,
        });
      });
    }
    const size = stored.reduce((sum, object) => sum + object.size, 0);
    const fixity = await checkFixity(ctx.objects, stored, expected, ctx.signal);
    for (const m of fixity.mismatches) ctx.stderr(`fixity check failed after storing: ${m}`);
    const ok = fixity.mismatches.length === 0;
    const location = ctx.objects.locationOf(key);
    ctx.stdout(
      `stored ${expected.size} object(s), ${size} bytes at ${location}; fixity ${ok ? "verified" : "FAILED"}`,
    );
    const event = fileEvent(ctx, null, "fixity check", {
      detail: `program="stepmatica store-aip"; compared the SHA-256 of ${expected.size} stored object(s) with what was bagged: ${fixity.readBack} hashed by the store as it stored them, ${fixity.reRead} read again after storing`,
      outcome: ok ? "success" : "failure",
      outcomeDetail: ok ? `${expected.size} object(s) match` : fixity.mismatches.slice(0, 10).join("; "),
      key: "stored-aip",
    });
    return {
      exitCode: ok ? 0 : 1,
      events: [event],
      aip: {
        id: ctx.unit.id,
        unitId: ctx.unit.id,
        location,
        sha256: ext ? expected.get(key)! : null,
        size,
        verifiedAt: ok ? new Date() : null,
        createdAt: new Date(),
      },
      output: { aipLocation: location },
    };
  },
};

/** Object key → SHA-256 of every file of the bag: payload digests from the manifest, tag files hashed now. */
async function expectedDigests(bagDir: string, name: string): Promise<Map<string, string>> {
  const manifest = await readManifest(path.join(bagDir, "manifest-sha256.txt"));
  const byPath = new Map(manifest.entries.map((e) => [e.path, e.digest]));
  const expected = new Map<string, string>();
  for (const rel of await listRegularFiles(bagDir)) {
    const digest =
      byPath.get(rel) ?? (await digestFile(path.join(bagDir, ...rel.split("/")))).digests.sha256!;
    expected.set(`${name}/${rel}`, digest);
  }
  return expected;
}
