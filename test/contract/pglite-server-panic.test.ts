import { rm } from "node:fs/promises";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { expect, it } from "vitest";
import { tempDir } from "../helpers/fixtures.ts";
import { serveOverWire } from "../helpers/pglite-wire.ts";

// PostgreSQL PANICs when it cannot write its WAL (here: the data folder removed, as a disk that is
// full does too) and a server then restarts its backends. PGlite cannot: its one session answered
// only "cannot drop active portal" afterwards, and its next commit spun in XLogFlush for good. The
// wire server reports the PANIC and runs nothing more, so the owner can stop (db-owner.ts).
it("after a PANIC the wire server tells the owner and runs no other statement", async () => {
  const dataDir = path.join(await tempDir("panic"), "db");
  const db = new PGlite(dataDir);
  await db.waitReady;
  const panics: string[] = [];
  const { config, wire } = await serveOverWire(db, { onPanic: (message) => panics.push(message) });
  const connect = async () => {
    const client = new pg.Client(config());
    client.on("error", () => {});
    await client.connect();
    return client;
  };
  const writer = await connect();
  const reader = await connect();
  try {
    await writer.query("create table filler (id int primary key, text text)");
    // Its files opened before they are removed (PostgreSQL keeps them open).
    await writer.query("insert into filler select g, repeat('x', 100) from generate_series(1, 20000) g");
    await rm(dataDir, { recursive: true, force: true });
    // Writes until PostgreSQL needs a WAL segment it cannot create.
    let severity: string | undefined;
    for (let i = 1; i < 60 && severity === undefined; i++) {
      await writer
        .query(
          `insert into filler select g, repeat('y', 200) from generate_series(${i * 20000 + 1}, ${(i + 1) * 20000}) g`,
        )
        .catch((error: { severity?: string }) => {
          severity = error.severity;
        });
    }
    expect(severity).toBe("PANIC");
    expect(panics).toEqual([expect.stringMatching(/pg_wal/)]);

    let executed = 0;
    const execute = db.execProtocolRawStream.bind(db);
    db.execProtocolRawStream = (...args) => {
      executed++;
      return execute(...args);
    };
    const answer = reader.query("select 1").then(
      () => "answered",
      () => "failed",
    );
    const waited = new Promise((resolve) => setTimeout(() => resolve("no answer"), 1_500));
    expect(await Promise.race([answer, waited])).toBe("no answer");
    expect(executed).toBe(0);
  } finally {
    // The session is not touched again (closing PGlite would write WAL and spin): sockets only.
    await wire.close();
  }
}, 120_000);
