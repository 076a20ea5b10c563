import { createHash } from "node:crypto";
import type { Socket } from "node:net";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { PgSql } from "../../functions/adapters/sql/pg.ts";
import { type AutovacuumOptions, startAutovacuum } from "../../functions/adapters/sql/pglite-autovacuum.ts";
import { serveOverWire } from "../helpers/pglite-wire.ts";
import { sqlContract } from "./suites/sql.ts";

// The home's database owner serves one PGlite to many `pg` clients (functions/cli/db-owner.ts):
// the SQL contract through it, and the turn-taking that keeps clients from seeing each other's work.

async function serveMemoryDb() {
  const db = new PGlite();
  await db.waitReady;
  const served = await serveOverWire(db);
  return { config: served.config, db, exclusive: served.wire.exclusive, close: served.close };
}

sqlContract("PGlite through the home's database owner (pg over its socket)", async () => {
  const served = await serveMemoryDb();
  const sql = await PgSql.open("", { pool: served.config() });
  const close = sql.close.bind(sql);
  sql.close = async () => {
    await close();
    await served.close();
  };
  return sql;
});

describe("the database owner's wire server", () => {
  let served!: Awaited<ReturnType<typeof serveMemoryDb>>;
  const clients: pg.Client[] = [];
  const client = async (password?: string) => {
    const c = new pg.Client(served.config(password));
    c.on("error", () => {});
    await c.connect();
    clients.push(c);
    return c;
  };
  // One database for these tests (a PGlite start is the slow part): each test has its own table.
  beforeAll(async () => {
    served = await serveMemoryDb();
  }, 120_000);
  afterEach(async () => {
    for (const c of clients.splice(0)) await c.end().catch(() => {});
  });
  afterAll(async () => {
    await served.close();
  });

  it("keeps concurrent clients' parameterized queries apart (Parse/Bind/Execute never interleave)", async () => {
    const pool = new pg.Pool({ ...served.config(), max: 8 });
    try {
      // A different statement text per query: a Bind that reached another client's Parse shows.
      const answers = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          pool.query<{ n: number; s: string; k: number }>(
            `select $1::int * 2 as n, $2::text as s, ${i}::int as k`,
            [i, `q${i}`],
          ),
        ),
      );
      expect(answers.map((r) => [r.rows[0]!.n, r.rows[0]!.s, r.rows[0]!.k])).toEqual(
        Array.from({ length: 200 }, (_, i) => [i * 2, `q${i}`, i]),
      );
    } finally {
      await pool.end();
    }
  });

  it("keeps a batch that arrives in many reads (a large parameter) whole while others' batches run", async () => {
    const big = await client();
    const small = await client();
    const text = "x".repeat(4 * 1024 * 1024); // the Bind message spans many socket reads
    const others = Array.from({ length: 50 }, (_, i) =>
      small.query<{ k: number }>(`select $1::int + ${i} as k`, [1000]),
    );
    const large = big.query<{ n: number; tag: string }>("select length($1::text) as n, 'big' as tag", [text]);
    expect((await large).rows[0]).toEqual({ n: text.length, tag: "big" });
    expect((await Promise.all(others)).map((r) => r.rows[0]!.k)).toEqual(
      Array.from({ length: 50 }, (_, i) => 1000 + i),
    );
  });

  it("delivers a large answer (15,000 rows, many chunks from the backend) whole and in order", async () => {
    const big = await client();
    const small = await client();
    const rows = 15_000;
    const others = Array.from({ length: 20 }, (_, i) => small.query<{ k: number }>(`select ${i}::int as k`));
    const answer = await big.query<{ n: number; h: string }>(
      "select g as n, md5(g::text) || repeat(chr(65 + g % 26), g % 97) as h from generate_series(1, $1::int) g",
      [rows],
    );
    const expected = Array.from({ length: rows }, (_, i) => {
      const n = i + 1;
      return {
        n,
        h:
          createHash("md5").update(String(n)).digest("hex") +
          String.fromCharCode(65 + (n % 26)).repeat(n % 97),
      };
    });
    expect(answer.rows.length).toBe(rows);
    expect(answer.rows).toEqual(expected);
    expect((await Promise.all(others)).map((r) => r.rows[0]!.k)).toEqual(
      Array.from({ length: 20 }, (_, i) => i),
    );
  });

  it("gives the session to a client inside a transaction until it commits; others wait, then see the commit", async () => {
    const a = await client();
    const b = await client();
    await a.query("create table notes_waiting (id int primary key, body text)");
    await a.query("begin");
    await a.query("insert into notes_waiting values ($1, $2)", [1, "uncommitted"]);
    let bAnswered = false;
    const read = b.query("select count(*)::int as n from notes_waiting").then((r) => {
      bAnswered = true;
      return r.rows[0].n as number;
    });
    await new Promise((r) => setTimeout(r, 300));
    expect(bAnswered, "a second client must not run inside the first one's transaction").toBe(false);
    await a.query("commit");
    expect(await read).toBe(1);
  });

  it("rolls back the open transaction of a client that went away, and serves the others", async () => {
    const a = await client();
    const b = await client();
    await b.query("create table notes (id int primary key)");
    await a.query("begin");
    await a.query("insert into notes values (7)");
    const waiting = b.query("select count(*)::int as n from notes");
    (a as unknown as { connection: { stream: Socket } }).connection.stream.destroy(); // the process died
    expect((await waiting).rows[0].n).toBe(0);
    await b.query("insert into notes values (7)"); // no leftover of the dead client's transaction
    expect((await b.query("select count(*)::int as n from notes")).rows[0].n).toBe(1);
  });

  it("vacuums a table past autovacuum's thresholds between turns, never inside a client's transaction", async () => {
    const a = await client();
    const b = await client();
    await a.query("create table av_rows (id int primary key, v int)");
    await a.query("insert into av_rows select i, 0 from generate_series(1, 1000) i");
    for (let k = 1; k <= 3; k++) await a.query("update av_rows set v = $1", [k]);
    const stats = async (c: pg.Client) =>
      (
        await c.query<{ dead: number; vacuumed: boolean }>(
          "select n_dead_tup::int as dead, last_vacuum is not null as vacuumed from pg_stat_user_tables where relname = 'av_rows'",
        )
      ).rows[0]!;
    // PostgreSQL publishes a backend's counts at most once a second.
    let before = await stats(a);
    for (let i = 0; i < 60 && before.dead < 1000; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      before = await stats(a);
    }
    expect(before).toEqual({ dead: expect.any(Number), vacuumed: false });
    expect(before.dead).toBeGreaterThanOrEqual(1000); // well past 50 + 20 % of 1,000 (pruning removes a few)
    await b.query("begin");
    await b.query("update av_rows set v = 9 where id = 1");
    const logged: string[] = [];
    // Every statement of the autovacuum must run in a turn of its own (outside: those that did not).
    let inTurn = 0;
    const outside: string[] = [];
    const db: AutovacuumOptions["db"] = {
      query: ((text: string, ...rest: []) => {
        if (inTurn === 0) outside.push(text);
        return served.db.query(text, ...rest);
      }) as AutovacuumOptions["db"]["query"],
      exec: ((text: string) => {
        if (inTurn === 0) outside.push(text);
        return served.db.exec(text);
      }) as AutovacuumOptions["db"]["exec"],
    };
    const stop = startAutovacuum({
      db,
      exclusive: (work) =>
        served.exclusive(async () => {
          inTurn += 1;
          try {
            return await work();
          } finally {
            inTurn -= 1;
          }
        }),
      intervalMs: 20,
      log: (line) => logged.push(line),
    });
    try {
      // b holds the session: the checks wait for it (a VACUUM in its transaction would fail it).
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect((await stats(b)).vacuumed).toBe(false);
      await b.query("commit");
      let after = await stats(a);
      for (let i = 0; i < 100 && !after.vacuumed; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        after = await stats(a);
      }
      expect(after.vacuumed).toBe(true);
      expect(after.dead).toBeLessThan(100);
      expect(logged).toEqual([]);
      expect(outside).toEqual([]);
    } finally {
      await stop();
    }
  });

  it("refuses a client without the home's password", async () => {
    await expect(client("not-the-password")).rejects.toThrow(/password authentication failed/);
    expect((await (await client()).query("select 1 as one")).rows[0].one).toBe(1);
  });
});
