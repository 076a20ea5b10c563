import { rm } from "node:fs/promises";
import { afterEach, expect, it } from "vitest";
import type { PgSql } from "../../../functions/adapters/sql/pg.ts";
import { openHomeDatabase } from "../../../functions/cli/home-database.ts";
import { homeFiles, readOwner } from "../../../functions/cli/home-files.ts";
import { tempDir } from "../../helpers/fixtures.ts";

// A home removed while its database owner runs (`rm -rf .stepmatica` to start over, a test's or a
// benchmark's clean-up): PostgreSQL can no longer create its WAL files, and PGlite, which cannot
// restart after a PANIC as a server would, spun in XLogFlush at 100 % of a core for good (seen
// after `profile-run.ts` removed its home; its idle timer never fired). It also kept the home's
// address, so a new home at the same path could not start its own owner.

const owners: number[] = [];
const clients: PgSql[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close().catch(() => {});
  for (const pid of owners.splice(0)) if (alive(pid)) process.kill(pid, "SIGKILL"); // never leave a spinner
});

it("the owner stops when its data folder is removed, and a new home at the same path gets its own", async () => {
  const home = await tempDir("home-removed");
  const sql = await openHomeDatabase(home);
  clients.push(sql);
  await sql.query("create table filler (id int primary key, text text)");
  await sql.query("insert into filler select g, repeat('x', 100) from generate_series(1, 20000) g");
  const first = await readOwner(await homeFiles(home));
  expect(first?.pid).toBeGreaterThan(0);
  owners.push(first!.pid);

  await rm(home, { recursive: true, force: true });
  // Enough WAL for a new segment, which PostgreSQL can no longer create: the write that made the
  // owner spin. Its answer (an error, or none once the owner is gone) does not matter here.
  const writes = (async () => {
    for (let i = 1; i <= 30; i++)
      await sql.query(
        `insert into filler select g, repeat('y', 200) from generate_series(${i * 20000 + 1}, ${(i + 1) * 20000}) g`,
      );
  })();
  writes.catch(() => {});

  await expect.poll(() => alive(first!.pid), { timeout: 15_000, interval: 200 }).toBe(false);

  const again = await openHomeDatabase(home);
  clients.push(again);
  const second = await readOwner(await homeFiles(home));
  owners.push(second!.pid);
  expect(second!.pid).not.toBe(first!.pid);
  expect(
    (await again.query<{ n: number }>("select count(*)::int as n from pg_tables where tablename = 'filler'"))
      .rows[0]?.n,
  ).toBe(0);
}, 90_000);

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
