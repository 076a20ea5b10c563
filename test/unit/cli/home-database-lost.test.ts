import { readFile, rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, expect, it } from "vitest";
import { openHomeDatabase } from "../../../functions/cli/home-database.ts";
import { tempDir } from "../../helpers/fixtures.ts";

// A process connected to its home's database owner must hear when the owner dies, whichever way the
// socket ends: with a reset (a query was out) or a clean end of stream (the connection sat idle, as a
// run's spare pool connections do). A missed clean end let a run carry on with a new owner after the
// old one was killed, its work since the kill unrecorded.
let home: string;
let busyHome: string;
afterAll(async () => {
  for (const folder of [home, busyHome]) if (folder) await rm(folder, { recursive: true, force: true });
});

it("an idle connection whose owner is SIGKILLed reports the loss, naming home and owner", async () => {
  home = await tempDir("home-lost");
  const told: string[] = [];
  const sql = await openHomeDatabase(home, { onLost: (sentence) => told.push(sentence) });
  try {
    await sql.query("select 1");
    const owner = JSON.parse(await readFile(path.join(home, "db-owner.json"), "utf8")) as { pid: number };
    process.kill(owner.pid, "SIGKILL");
    const deadline = Date.now() + 10_000;
    while (told.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(told).toEqual([
      `lost the database of home ${home}: its owner process ${owner.pid} stopped (see ${path.join(home, "db-owner.log")})`,
    ]);
  } finally {
    await sql.close().catch(() => {});
  }
}, 60_000);

// The owner lets a new connection in between other clients' turns. A connection that waited longer
// than its connect timeout is given up by `pg` itself (it destroys the socket): a 200,000-file run
// on a loaded machine then stopped, saying its owner had stopped while the owner ran on.
it("a connection given up while the owner is busy is not reported as the owner's loss", async () => {
  busyHome = await tempDir("home-busy");
  const told: string[] = [];
  const sql = await openHomeDatabase(busyHome, {
    onLost: (sentence) => told.push(sentence),
    connectTimeoutMs: 500,
  });
  try {
    let second = "";
    await sql.transaction(async (tx) => {
      await tx.query("select 1");
      // A second connection: the owner starts it only once this transaction has ended.
      second = await sql.query("select 2").then(
        () => "answered",
        (error: Error) => error.message,
      );
    });
    expect(second).toMatch(/timeout/i);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(told).toEqual([]);
    expect((await sql.query<{ n: number }>("select 3 as n")).rows).toEqual([{ n: 3 }]);
  } finally {
    await sql.close().catch(() => {});
  }
}, 60_000);
