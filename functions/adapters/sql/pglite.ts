import { PGlite, type Transaction } from "@electric-sql/pglite";
import type { SqlClient, SqlResult, SqlValue } from "../../ports/sql.ts";
import { toDriverParam } from "./params.ts";

type Queryable = Pick<PGlite, "query"> | Transaction;

/** Embedded PostgreSQL (WASM) — the default store: a data folder under STEPMATICA_HOME, or memory. */
export class PgliteSql implements SqlClient {
  private constructor(
    private readonly db: PGlite,
    private readonly target: Queryable,
  ) {}

  /** dataDir undefined → in memory (tests). */
  static async open(dataDir?: string): Promise<PgliteSql> {
    const db = dataDir ? new PGlite(dataDir) : new PGlite();
    await db.waitReady;
    return new PgliteSql(db, db);
  }

  async query<Row = Record<string, unknown>>(text: string, params: SqlValue[] = []): Promise<SqlResult<Row>> {
    const r = await this.target.query<Row>(text, params.map(toDriverParam));
    return { rows: r.rows, rowCount: r.rows.length > 0 ? r.rows.length : (r.affectedRows ?? 0) };
  }

  async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    if (this.target !== this.db) return fn(this); // already inside one: PGlite has no nesting
    return this.db.transaction((tx) => fn(new PgliteSql(this.db, tx)));
  }

  async close(): Promise<void> {
    if (this.target === this.db && !this.db.closed) await this.db.close();
  }
}
