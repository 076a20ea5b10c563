import { rm } from "node:fs/promises";
import { afterEach, expect, it } from "vitest";
import type { PgSql } from "../../../functions/adapters/sql/pg.ts";
import { openHomeDatabase } from "../../../functions/cli/home-database.ts";
import { homeFiles, readOwner } from "../../../functions/cli/home-files.ts";
import { tempDir } from "../../helpers/fixtures.ts";
import { processGone } from "../../reliability/processes.ts";

// A home removed while its database owner runs (`rm -rf .stepmatica` to start over, a test's or a
// benchmark's clean-up): PostgreSQL can no longer create its WAL files, and PGlite, which cannot
// restart after a PANIC as a server would, spun in XLogFlush at 100 % of a core for good (seen
// after `profile-run.ts` removed its home; its idle timer never fired). It also kept the home's
// address, so a new home at the same path could not start its own owner.

const owners: number[] = [];
const clients: PgSql[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) await client.close().catch(() => {});
  // Never leave a spinner behind.
  for (const pid of owners.splice(0)) if (!(await processGone(pid, 0))) process.kill(pid, "SIGKILL");
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
  // Nothing is written after the removal: the watch thread alone must end the owner (a write would
  // end it too, by the PANIC it answers: test/contract/pglite-server-panic.test.ts), well before its
  // idle timeout of 60 s.
  expect(await processGone(first!.pid, 15_000)).toBe(true);

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
