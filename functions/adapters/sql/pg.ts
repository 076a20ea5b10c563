import pg from "pg";
import type { SqlClient, SqlResult, SqlValue } from "../../ports/sql.ts";
import { toDriverParam } from "./params.ts";

/** A PostgreSQL server through `pg` (DATABASE_URL). An optional schema isolates one store (tests, tenants). */
export class PgSql implements SqlClient {
  private constructor(
    private readonly pool: pg.Pool,
    private readonly client: pg.PoolClient | null,
  ) {}

  static async open(
    connectionString: string,
    options: { schema?: string; max?: number; pool?: Partial<pg.PoolConfig> } = {},
  ): Promise<PgSql> {
    const schema = options.schema;
    if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema))
      throw new Error(`bad schema name "${schema}"`);
    if (schema) {
      const admin = new pg.Client({ connectionString });
      await admin.connect();
      try {
        await admin.query(`create schema if not exists ${schema}`);
      } finally {
        await admin.end();
      }
    }
    const pool = new pg.Pool({
      connectionString,
      max: options.max ?? 8,
      ...(schema ? { options: `-c search_path=${schema}` } : {}),
      ...options.pool,
    });
    pool.on("error", () => {}); // an idle client's error surfaces on the next query instead
    return new PgSql(pool, null);
  }

  async query<Row = Record<string, unknown>>(text: string, params: SqlValue[] = []): Promise<SqlResult<Row>> {
    const runner = this.client ?? this.pool;
    const r = await runner.query(text, params.map(toDriverParam));
    return { rows: r.rows as Row[], rowCount: r.rowCount ?? r.rows.length };
  }

  async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    if (this.client) return fn(this);
    const client = await this.pool.connect();
    try {
      await client.query("begin");
      const result = await fn(new PgSql(this.pool, client));
      await client.query("commit");
      return result;
    } catch (error) {
      await client.query("rollback").catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    if (!this.client) await this.pool.end();
  }

  /** Drops a schema made by open({schema}) — for tests that clean up after themselves. */
  static async dropSchema(connectionString: string, schema: string): Promise<void> {
    if (!/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`bad schema name "${schema}"`);
    const admin = new pg.Client({ connectionString });
    await admin.connect();
    try {
      await admin.query(`drop schema if exists ${schema} cascade`);
    } finally {
      await admin.end();
    }
  }
}
