import { randomUUID } from "node:crypto";
import { BatchExecuteStatementCommand, RDSDataClient } from "@aws-sdk/client-rds-data";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RdsDataSql, ResponseTooLargeError } from "../../../functions/adapters/aws/rds-data-sql.ts";
import type { SqlClient } from "../../../functions/ports/sql.ts";
import { type DataApiServer, startDataApiServer } from "../../helpers/local-aws/data-api-server.ts";
import { runSharedContract } from "../../helpers/local-aws/shared-contracts.ts";
import { DATABASE_URL } from "../../helpers/services.ts";

const schema = `rdsdata_${randomUUID().replace(/-/g, "").slice(0, 12)}`;
let server: DataApiServer;
const opened: RdsDataSql[] = [];

function make(options: { resumeWaitMs?: number; endpoint?: string } = {}): RdsDataSql {
  const sql = new RdsDataSql({
    ...(options.resumeWaitMs === undefined ? {} : { resumeWaitMs: options.resumeWaitMs }),
    resourceArn: "arn:aws:rds:us-east-1:123456789012:cluster:stepmatica",
    secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:stepmatica-db",
    database: "stepmatica",
    clientConfig: {
      region: "us-east-1",
      endpoint: options.endpoint ?? server.endpoint,
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    },
    retry: { attempts: 4, baseDelayMs: 5, maxDelayMs: 20 },
    logger: { warn: () => {} },
  });
  opened.push(sql);
  return sql;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect().catch((error: unknown) => {
    throw new Error(`PostgreSQL at ${DATABASE_URL} is not reachable (set DATABASE_URL): ${String(error)}`);
  });
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  await admin((client) => client.query(`create schema ${schema}`));
  server = await startDataApiServer({ connectionString: DATABASE_URL, schema });
});

afterAll(async () => {
  await Promise.all(opened.map((sql) => sql.close()));
  await server?.close();
  await admin((client) => client.query(`drop schema if exists ${schema} cascade`));
});

describe("RdsDataSql over the Data API protocol", () => {
  it("sends typed parameters and maps records back by column type", async () => {
    const sql = make();
    await sql.query(`create table typed (id uuid primary key, name text, n int4, big int8, ok bool, ratio float8,
      amount numeric, at timestamptz, doc jsonb, tags text[])`);
    const id = randomUUID();
    const at = new Date("2024-05-06T07:08:09.123Z");
    const insert = await sql.query(
      `insert into typed values ($1::uuid, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, array(select jsonb_array_elements_text($10::jsonb)))`,
      [id, "it's $1 here", 42, 9_007_199_254_740_991, true, 0.25, 12.5, at, { a: [1, "x"] }, ["b", "a"]],
    );
    expect(insert.rowCount).toBe(1);
    const { rows, rowCount } = await sql.query("select * from typed where id = $1::uuid and name = $2", [
      id,
      "it's $1 here",
    ]);
    expect(rowCount).toBe(1);
    expect(rows[0]).toEqual({
      id,
      name: "it's $1 here",
      n: 42,
      big: 9_007_199_254_740_991,
      ok: true,
      ratio: 0.25,
      amount: "12.5",
      at,
      doc: { a: [1, "x"] },
      tags: ["b", "a"],
    });
    const nulls = await sql.query("select $1::text as a, $2 = $2 as same, '$1' as literal", [null, "v"]);
    expect(nulls.rows[0]).toEqual({ a: null, same: true, literal: "$1" });
  });

  it("writes UUID strings as untyped literals, since the Data API sends strings as varchar", async () => {
    const sql = make();
    await sql.query("create table ids (id uuid primary key, label text)");
    const id = randomUUID();
    await expect(sql.query("insert into ids values ($1, $1)", [id])).resolves.toMatchObject({ rowCount: 1 });
    const sent = server.calls.at(-1)!;
    expect(sent.sql).toBe(`insert into ids values ('${id}', '${id}')`);
    expect((await sql.query("select label from ids where id = $1 and label = $1", [id])).rows).toEqual([
      { label: id },
    ]);
    // any other string is a varchar parameter: a uuid column needs the SQL's own cast
    await expect(sql.query("select * from ids where id = $1", ["not-a-uuid"])).rejects.toThrow(
      /operator does not exist: uuid = character varying/,
    );
    await expect(sql.query("select * from ids where id = $1::uuid", ["not-a-uuid"])).rejects.toThrow(
      /invalid input syntax for type uuid/,
    );
    await expect(sql.query("select $2 as b", ["x"])).rejects.toThrow(/refers to \$2 but 1 parameter/);
  });

  it("reports SQL errors as BadRequestException with PostgreSQL's message", async () => {
    const sql = make();
    const failure = await sql.query("select * from no_such_table").catch((error: Error) => error);
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error).name).toBe("BadRequestException");
    expect((failure as Error).message).toMatch(/relation "no_such_table" does not exist/);
  });

  it("refuses a bigint that would lose precision", async () => {
    const sql = make();
    expect((await sql.query("select 42::int8 as n")).rows[0]).toEqual({ n: 42 });
    await expect(sql.query("select 9007199254740993::int8 as n")).rejects.toThrow(
      /column n: bigint 9007199254740993/,
    );
  });

  it("commits on success, rolls back on error, and joins nested transactions", async () => {
    const sql = make();
    await sql.query("create table ledger (k text primary key, v int4)");
    const result = await sql.transaction(async (tx) => {
      await tx.query("insert into ledger values ($1, $2)", ["a", 1]);
      await tx.transaction((inner) => inner.query("insert into ledger values ($1, $2)", ["b", 2]));
      return (await tx.query<{ c: number }>("select count(*)::int4 as c from ledger")).rows[0]!.c;
    });
    expect(result).toBe(2);
    await expect(
      sql.transaction(async (tx) => {
        await tx.query("insert into ledger values ($1, $2)", ["c", 3]);
        throw new Error("task failed");
      }),
    ).rejects.toThrow("task failed");
    const rows = (await sql.query<{ k: string }>("select k from ledger order by k")).rows.map((r) => r.k);
    expect(rows).toEqual(["a", "b"]);
    expect(server.openTransactions()).toBe(0);
    const txCalls = server.calls.filter((call) => call.sql?.includes("ledger values") && call.transactionId);
    expect(txCalls).toHaveLength(3);
  });

  it("retries transient errors with backoff, up to the bound", async () => {
    const sql = make();
    const before = server.calls.length;
    server.injectFault("Execute", "DatabaseUnavailableException", 2);
    expect((await sql.query("select 1 as one")).rows).toEqual([{ one: 1 }]);
    expect(server.calls.length - before).toBe(3);
    server.injectFault("Execute", "DatabaseUnavailableException", 10);
    await expect(sql.query("select 1 as one")).rejects.toThrow(/injected DatabaseUnavailableException/);
    server.clearFaults();
    server.injectFault("BeginTransaction", "ThrottlingException", 1);
    await expect(sql.transaction((tx) => tx.query("select 1"))).resolves.toMatchObject({ rowCount: 1 });
  });

  it("does not resend a timed-out statement inside a transaction", async () => {
    const sql = make();
    await expect(
      sql.transaction(async (tx) => {
        server.injectFault("Execute", "StatementTimeoutException", 1);
        await tx.query("select 1");
      }),
    ).rejects.toThrow(/injected StatementTimeoutException/);
    server.injectFault("Execute", "StatementTimeoutException", 1);
    await expect(sql.query("select 2 as two")).resolves.toMatchObject({ rows: [{ two: 2 }] });
  });

  it("turns a response over 1 MiB into an error that tells the caller to page", async () => {
    const sql = make();
    const failure = await sql
      .query("select repeat('x', 600000) as a, repeat('y', 600000) as b")
      .catch((e: Error) => e);
    expect(failure).toBeInstanceOf(ResponseTooLargeError);
    expect((failure as Error).message).toMatch(/1 MiB response limit; page the query/);
    const under = await sql.query<{ a: string }>("select repeat('x', 500000) as a");
    expect(under.rows[0]!.a).toHaveLength(500_000);
  });
});

describe("the Data API's behaviour that the adapter must live with", () => {
  it("waits for an auto-paused Aurora: 20 s of DatabaseResumingException, then the statement runs", async () => {
    const sql = make(); // the default patience (90 s)
    server.resumeFor(20_000);
    const started = Date.now();
    const answeredBefore = server.resumingAnswers();
    expect((await sql.query("select 1 as one")).rows).toEqual([{ one: 1 }]);
    expect(Date.now() - started).toBeGreaterThanOrEqual(19_000);
    expect(server.resumingAnswers() - answeredBefore).toBeGreaterThan(3);
  }, 60_000);

  it("gives up on a database that does not resume within its patience", async () => {
    const sql = make({ resumeWaitMs: 1_500 });
    server.resumeFor(6_000);
    await expect(sql.query("select 1")).rejects.toMatchObject({ name: "DatabaseResumingException" });
    server.resumeFor(0);
  }, 30_000);

  it("times a long statement out (StatementTimeoutException) and cancels it", async () => {
    const fast = await startDataApiServer({
      connectionString: DATABASE_URL,
      schema,
      statementTimeoutMs: 300,
    });
    try {
      const sql = make({ endpoint: fast.endpoint });
      const failure = await sql.query("select pg_sleep(3)").catch((error: Error) => error);
      expect(failure).toMatchObject({ name: "StatementTimeoutException" });
      const running = await admin((client) =>
        client.query(
          "select count(*)::int as n from pg_stat_activity where query = 'select pg_sleep(3)' and state = 'active'",
        ),
      );
      expect(running.rows[0].n).toBe(0);
    } finally {
      await fast.close();
    }
  }, 30_000);

  it("ends a transaction left idle too long: its id is then unknown", async () => {
    const fast = await startDataApiServer({ connectionString: DATABASE_URL, schema, transactionIdleMs: 200 });
    try {
      const sql = make({ endpoint: fast.endpoint });
      await sql.query("create table if not exists expiry (k text)");
      await expect(
        sql.transaction(async (tx) => {
          await tx.query("insert into expiry values ($1)", ["lost"]);
          await new Promise((resolve) => setTimeout(resolve, 1_000));
          await tx.query("insert into expiry values ($1)", ["after"]);
        }),
      ).rejects.toThrow(/Transaction .* is not found/);
      expect((await sql.query("select count(*)::int as n from expiry")).rows).toEqual([{ n: 0 }]);
      expect(fast.openTransactions()).toBe(0);
    } finally {
      await fast.close();
    }
  }, 30_000);

  it("BatchExecuteStatement runs one statement per parameter set, all or nothing outside a transaction", async () => {
    const client = new RDSDataClient({
      region: "us-east-1",
      endpoint: server.endpoint,
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    const target = {
      resourceArn: "arn:aws:rds:us-east-1:123456789012:cluster:stepmatica",
      secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:stepmatica-db",
      database: "stepmatica",
    };
    try {
      const sql = make();
      await sql.query("create table batch (k text primary key, n int8)");
      const set = (k: string, n: number) => [
        { name: "k", value: { stringValue: k } },
        { name: "n", value: { longValue: n } },
      ];
      const ok = await client.send(
        new BatchExecuteStatementCommand({
          ...target,
          sql: "insert into batch values (:k, :n)",
          parameterSets: [set("a", 1), set("b", 2)],
        }),
      );
      expect(ok.updateResults).toHaveLength(2);
      await expect(
        client.send(
          new BatchExecuteStatementCommand({
            ...target,
            sql: "insert into batch values (:k, :n)",
            parameterSets: [set("c", 3), set("a", 4)],
          }),
        ),
      ).rejects.toMatchObject({ name: "BadRequestException" });
      expect((await sql.query("select k from batch order by k")).rows).toEqual([{ k: "a" }, { k: "b" }]);
    } finally {
      client.destroy();
    }
  });
});

await runSharedContract<SqlClient>("sql", "rds-data (local Data API shim)", async () => make());
