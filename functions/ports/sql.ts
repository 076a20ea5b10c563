/**
 * The one SQL dialect (PostgreSQL) the store speaks. Adapters: PGlite (embedded), pg (a server),
 * the RDS Data API (Aurora). Parameters are positional ($1, $2, …); values are string, number,
 * boolean, null, Date (a timestamptz), or an array / plain object, which is sent as JSON: the SQL
 * casts it (`$1::jsonb`) or writes it into a jsonb column. Rows come back with column names as keys.
 */
export type SqlValue =
  | string
  | number
  | boolean
  | null
  | Date
  | string[]
  | Record<string, unknown>
  | unknown[];

export interface SqlResult<Row> {
  rows: Row[];
  rowCount: number;
}

export interface SqlClient {
  query<Row = Record<string, unknown>>(text: string, params?: SqlValue[]): Promise<SqlResult<Row>>;
  /** Runs fn in one transaction: committed when fn resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
