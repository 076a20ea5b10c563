import path from "node:path";
import { readManifest } from "../bagit/index.ts";
import { mapLimit } from "../core/concurrency.ts";
import { digestFile } from "../core/digest.ts";
import type { TaskModule } from "../core/task-module.ts";
import { absolute, aipName, bagWorkingPath, compressedExtension } from "./aip-layout.ts";
import { fileEvent } from "./events.ts";
import { listRegularFiles } from "./fs-walk.ts";

/** Objects written and re-read at once: S3 and local disks both gain from several requests in flight. */
const STORE_CONCURRENCY = 16;

/**
 * Stores the AIP (a folder of files, or one compressed file) in the AIP store under keys derived
 * from the AIP's uuid, so a retry overwrites rather than duplicates; then re-reads every stored
 * object and compares its SHA-256 with what was bagged (fixity after storing).
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
    let size = 0;
    if (ext) {
      key = `${name}.${ext}`;
      const local = `${bagDir}.${ext}`;
      const { size: s, digests } = await digestFile(local, ["sha256"], ctx.signal);
      size = s;
      expected = new Map([[key, digests.sha256!]]);
      await ctx.objects.putFile(key, local, { sha256: digests.sha256! });
    } else {
      key = name;
      expected = await expectedDigests(bagDir, name);
      // The package's size is the sum of its files' sizes. Each put reports its own and they are added
      // up afterwards: `size += await …` in concurrent callbacks would keep only some of them.
      const sizes = await mapLimit([...expected], STORE_CONCURRENCY, async ([objectKey, sha256]) => {
        if (ctx.signal.aborted) throw ctx.signal.reason;
        const rel = objectKey.slice(name.length + 1);
        const local = path.join(bagDir, ...rel.split("/"));
        return (await ctx.objects.putFile(objectKey, local, { sha256 })).size;
      });
      size = sizes.reduce((sum, fileSize) => sum + fileSize, 0);
    }
    const mismatches: string[] = [];
    await mapLimit([...expected], STORE_CONCURRENCY, async ([objectKey, sha256]) => {
      const stored = await ctx.objects.sha256(objectKey);
      if (stored !== sha256) mismatches.push(`${objectKey}: stored ${stored}, expected ${sha256}`);
    });
    mismatches.sort();
    for (const m of mismatches) ctx.stderr(`fixity check failed after storing: ${m}`);
    const ok = mismatches.length === 0;
    const location = ctx.objects.locationOf(key);
    ctx.stdout(
      `stored ${expected.size} object(s), ${size} bytes at ${location}; fixity ${ok ? "verified" : "FAILED"}`,
    );
    const event = fileEvent(ctx, null, "fixity check", {
      detail: `program="stepmatica store-aip"; re-read ${expected.size} stored object(s) and compared SHA-256`,
      outcome: ok ? "success" : "failure",
      outcomeDetail: ok ? `${expected.size} object(s) match` : mismatches.slice(0, 10).join("; "),
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
