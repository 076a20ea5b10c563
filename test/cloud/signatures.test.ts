import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { refreshSignatures, seedSharedDatabases } from "../../functions/worker/signatures.ts";
import { tempDir } from "../helpers/fixtures.ts";

/** A database file with a real CVD header (512 bytes) and no body: enough for versions and seeding. */
function database(version: number): Buffer {
  const header = Buffer.alloc(512, " ");
  header.write(`ClamAV-VDB:03 Dec 2026 10-00 +0000:${version}:${version * 10}:90:x:x:x:x`);
  return header;
}

let root: string;
beforeEach(async () => {
  root = await tempDir("signatures");
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("the workers' shared ClamAV signatures", () => {
  it("seeds the shared folder with the image's newer databases only", async () => {
    const image = path.join(root, "image");
    const shared = path.join(root, "shared");
    await mkdir(image);
    await mkdir(shared);
    await writeFile(path.join(image, "main.cvd"), database(62));
    await writeFile(path.join(image, "daily.cvd"), database(27000));
    await writeFile(path.join(shared, "daily.cld"), database(27100)); // freshclam's newer one
    const copied = await seedSharedDatabases(image, shared);
    expect(copied).toEqual(["main v62, 620 signatures, built 03 Dec 2026 10-00 +0000"]);
    expect((await readdir(shared)).sort()).toEqual(["daily.cld", "main.cvd"]);
    expect(await seedSharedDatabases(image, shared)).toEqual([]);
  });

  it("a failed freshclam (the mirror unreachable) keeps the databases, releases its lock, and says so", async () => {
    const shared = path.join(root, "shared");
    await mkdir(shared);
    await writeFile(path.join(shared, "daily.cld"), database(27100));
    // A port that refuses connections: a mirror that is down.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const warnings: Array<{ message: string; extra?: Record<string, unknown> }> = [];
    const result = await refreshSignatures({
      dir: shared,
      mirror: `http://127.0.0.1:${port}`,
      timeoutMs: 60_000,
      log: { info: () => {}, warn: (message, extra) => warnings.push({ message, extra }) },
    });
    expect(result).toMatch(/^failed: exit \d+/);
    expect(warnings[0]?.message).toBe("freshclam failed; the current signatures stay in use");
    expect(await readFile(path.join(shared, "daily.cld"))).toEqual(database(27100));
    expect((await readdir(shared)).filter((n) => n.startsWith(".freshclam"))).toEqual([]);
  }, 90_000);

  it("one worker at a time: a fresh lock is respected, a stale one is taken over", async () => {
    const shared = path.join(root, "shared");
    await mkdir(shared);
    await writeFile(path.join(shared, ".freshclam.lock"), "4242\n");
    const log = { info: () => {}, warn: () => {} };
    expect(await refreshSignatures({ dir: shared, freshclam: "/bin/true", log })).toBe(
      "skipped: another worker is refreshing",
    );
    expect(await refreshSignatures({ dir: shared, freshclam: "/bin/true", staleLockMs: -1, log })).toBe(
      "updated",
    );
    expect((await readdir(shared)).filter((n) => n.startsWith(".freshclam"))).toEqual([]);
  });
});
