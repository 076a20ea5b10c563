import {
  BeginTransactionCommand,
  CommitTransactionCommand,
  ExecuteStatementCommand,
  RDSDataClient,
  type RDSDataClientConfig,
  RollbackTransactionCommand,
} from "@aws-sdk/client-rds-data";
import type { SqlClient, SqlResult, SqlValue } from "../../ports/sql.ts";
import { type AdapterLogger, stderrLogger } from "./logger.ts";
import { rowsFrom, toStatement } from "./rds-data-values.ts";
import { backoffMs, DEFAULT_RETRY, errorName, type RetryPolicy, sleep, withRetry } from "./retry.ts";

export interface RdsDataSqlOptions {
  /** The Aurora cluster's ARN. */
  resourceArn: string;
  /** The Secrets Manager secret holding the database credentials. */
  secretArn: string;
  database: string;
  /** The SDK client, or its configuration (region, endpoint: AWS_ENDPOINT_URL_RDS_DATA also works). */
  client?: RDSDataClient;
  clientConfig?: RDSDataClientConfig;
  retry?: RetryPolicy;
  /**
   * How long a paused Aurora may take to resume: DatabaseResumingException is retried until this
   * much time has passed since the first attempt (default 90 s; resuming takes ~15 s and more).
   */
  resumeWaitMs?: number;
  logger?: AdapterLogger;
}

export const DEFAULT_RESUME_WAIT_MS = 90_000;

/** Errors after which the same request may simply be sent again (the statement did not run). */
const ALWAYS_RETRYABLE = new Set([
  "DatabaseUnavailableException",
  "ServiceUnavailableError",
  "ThrottlingException",
  "TooManyRequestsException",
]);

export class ResponseTooLargeError extends Error {
  constructor(sql: string) {
    super(
      `SQL result exceeds the RDS Data API's 1 MiB response limit; page the query (LIMIT with a keyset) ` +
        `or select fewer columns: ${sql.replace(/\s+/g, " ").slice(0, 160)}`,
    );
    this.name = "ResponseTooLargeError";
  }
}

/** SqlClient over the RDS Data API (Aurora Serverless v2): one HTTPS call per statement. */
export class RdsDataSql implements SqlClient {
  private readonly client: RDSDataClient;
  private readonly ownsClient: boolean;
  private readonly retry: RetryPolicy;
  private readonly logger: AdapterLogger;

  private readonly transactionId: string | undefined;

  /** `scope` is internal: the view of one open transaction that transaction() hands to its callback. */
  constructor(
    private readonly options: RdsDataSqlOptions,
    scope?: { client: RDSDataClient; transactionId: string },
  ) {
    this.client = scope?.client ?? options.client ?? new RDSDataClient(options.clientConfig ?? {});
    this.ownsClient = !scope && !options.client;
    this.transactionId = scope?.transactionId;
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.logger = options.logger ?? stderrLogger;
  }

  async query<Row = Record<string, unknown>>(text: string, params: SqlValue[] = []): Promise<SqlResult<Row>> {
    const command = new ExecuteStatementCommand({
      ...this.target(),
      ...toStatement(text, params),
      transactionId: this.transactionId,
      includeResultMetadata: true,
      resultSetOptions: { longReturnType: "STRING", decimalReturnType: "STRING" },
    });
    try {
      const response = await this.send(() => this.client.send(command));
      const columns = response.columnMetadata ?? [];
      const rows = rowsFrom(response.records, columns) as Row[];
      return { rows, rowCount: columns.length > 0 ? rows.length : (response.numberOfRecordsUpdated ?? 0) };
    } catch (error) {
      if (errorName(error) === "BadRequestException" && /response size limit/i.test(String(error))) {
        throw new ResponseTooLargeError(text);
      }
      throw error;
    }
  }

  async transaction<T>(fn: (tx: SqlClient) => Promise<T>): Promise<T> {
    if (this.transactionId) return fn(this); // nested: joins the open transaction
    const begun = await this.send(() => this.client.send(new BeginTransactionCommand(this.target())));
    const transactionId = begun.transactionId;
    if (!transactionId) throw new Error("RDS Data API BeginTransaction returned no transactionId");
    const tx = new RdsDataSql(this.options, { client: this.client, transactionId });
    let result: T;
    try {
      result = await fn(tx);
    } catch (error) {
      await this.client
        .send(new RollbackTransactionCommand({ ...this.target(), transactionId }))
        .catch((rollbackError: unknown) =>
          this.logger.warn("rollback failed (the Data API ends the transaction on its own)", {
            transactionId,
            error: String(rollbackError),
          }),
        );
      throw error;
    }
    await this.client.send(new CommitTransactionCommand({ ...this.target(), transactionId }));
    return result;
  }

  async close(): Promise<void> {
    if (this.ownsClient) this.client.destroy();
  }

  private target() {
    return {
      resourceArn: this.options.resourceArn,
      secretArn: this.options.secretArn,
      database: this.options.database,
    };
  }

  /**
   * A resuming database is waited for (up to resumeWaitMs); other transient errors are retried a
   * bounded number of times.
   */
  private async send<T>(call: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + (this.options.resumeWaitMs ?? DEFAULT_RESUME_WAIT_MS);
    const patience: RetryPolicy = { attempts: Number.POSITIVE_INFINITY, baseDelayMs: 500, maxDelayMs: 5_000 };
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.sendRetrying(call);
      } catch (error) {
        const left = deadline - Date.now();
        if (errorName(error) !== "DatabaseResumingException" || left <= 0) throw error;
        if (attempt === 0) this.logger.warn("Aurora is resuming; waiting for it", { waitMs: left });
        await sleep(Math.min(left, backoffMs(patience, attempt)));
      }
    }
  }

  /** A timed-out statement is cancelled, so it is resent too — but not inside a transaction it may have aborted. */
  private sendRetrying<T>(call: () => Promise<T>): Promise<T> {
    return withRetry(
      this.retry,
      (error) => {
        const name = errorName(error);
        const retryable =
          ALWAYS_RETRYABLE.has(name) ||
          (name === "StatementTimeoutException" && !this.transactionId) ||
          (name === "BadRequestException" && /Communications link failure/i.test(String(error)));
        if (retryable) this.logger.warn("RDS Data API call failed, retrying", { error: name });
        return retryable;
      },
      call,
    );
  }
}
