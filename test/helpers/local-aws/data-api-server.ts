/**
 * A local stand-in for the RDS Data API: an HTTP server speaking its REST-JSON protocol (POST /Execute,
 * /BatchExecute, /BeginTransaction, /CommitTransaction, /RollbackTransaction) that runs the SQL on a
 * real PostgreSQL. The real SDK serializes and deserializes every call. It behaves as the service
 * does where we depend on it: SQL errors are BadRequestException, responses over 1 MiB the service's
 * "response size limit" error, a statement running past 45 s StatementTimeoutException (cancelled
 * unless continueAfterTimeout), a transaction idle for 3 minutes or open for 24 hours is rolled back
 * and then unknown (NotFoundException), and a paused cluster answers DatabaseResumingException
 * (resumeFor) until it has resumed. Service faults can also be injected by count.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { bindNamed, DataApiError, execute, type ResultOptions, type WireParameter } from "./data-api-sql.ts";

export interface DataApiServer {
  endpoint: string;
  /** The next `count` calls of `operation` answer with the named error instead of running. */
  injectFault(
    operation: "Execute" | "BatchExecute" | "BeginTransaction",
    code: string,
    count: number,
    status?: number,
  ): void;
  /** Every call answers DatabaseResumingException for the next `ms` (an auto-paused cluster waking up). */
  resumeFor(ms: number): void;
  /** Calls answered DatabaseResumingException so far. */
  resumingAnswers(): number;
  /** Statements run, by operation (what the adapter actually sent). */
  calls: Array<{ operation: string; sql?: string; transactionId?: string }>;
  clearFaults(): void;
  openTransactions(): number;
  close(): Promise<void>;
}

export const MAX_RESPONSE_BYTES = 1024 * 1024;

/** The service's limits (https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/data-api.html). */
export const STATEMENT_TIMEOUT_MS = 45_000;
export const TRANSACTION_IDLE_MS = 3 * 60_000;
export const TRANSACTION_MAX_MS = 24 * 3600_000;

export async function startDataApiServer(options: {
  connectionString: string;
  schema: string;
  /** Overrides of the service's limits, so tests need not wait minutes. */
  statementTimeoutMs?: number;
  transactionIdleMs?: number;
  transactionMaxMs?: number;
}): Promise<DataApiServer> {
  const statementTimeoutMs = options.statementTimeoutMs ?? STATEMENT_TIMEOUT_MS;
  const transactionIdleMs = options.transactionIdleMs ?? TRANSACTION_IDLE_MS;
  const transactionMaxMs = options.transactionMaxMs ?? TRANSACTION_MAX_MS;
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: 8,
    options: `-c search_path=${options.schema} -c TimeZone=UTC`,
  });
  pool.on("error", () => {});
  const typeRows = await pool.query<{ oid: number; typname: string }>(
    "select oid::int as oid, typname from pg_type",
  );
  const typeNames = new Map(typeRows.rows.map((row) => [row.oid, row.typname]));
  interface OpenTransaction {
    client: pg.PoolClient;
    begunAt: number;
    lastUsedAt: number;
  }
  const transactions = new Map<string, OpenTransaction>();
  const faults: Array<{ operation: string; code: string; remaining: number; status: number }> = [];
  const calls: DataApiServer["calls"] = [];
  let resumingUntil = 0;
  let resumingAnswers = 0;

  // The service ends transactions left idle or open too long; their id is then unknown.
  const sweeper = setInterval(
    () => {
      const now = Date.now();
      for (const [id, tx] of transactions) {
        if (now - tx.lastUsedAt <= transactionIdleMs && now - tx.begunAt <= transactionMaxMs) continue;
        transactions.delete(id);
        tx.client
          .query("rollback")
          .catch(() => undefined)
          .finally(() => tx.client.release());
      }
    },
    Math.max(10, Math.min(1000, transactionIdleMs / 4)),
  );
  sweeper.unref();

  async function handle(operation: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const transactionId = body.transactionId as string | undefined;
    calls.push({ operation, sql: body.sql as string | undefined, transactionId });
    if (Date.now() < resumingUntil) {
      resumingAnswers++;
      throw new DataApiError(
        "DatabaseResumingException",
        "The Aurora DB instance stepmatica-box is resuming after being auto-paused. Please wait a few seconds and try again.",
      );
    }
    const fault = faults.find((f) => f.operation === operation && f.remaining > 0);
    if (fault) {
      fault.remaining--;
      throw new DataApiError(fault.code, `injected ${fault.code}`, fault.status);
    }
    if (!body.resourceArn || !body.secretArn)
      throw new DataApiError("BadRequestException", "resourceArn and secretArn are required");
    switch (operation) {
      case "BeginTransaction": {
        const client = await pool.connect();
        await client.query("begin");
        const id = randomBytes(24).toString("base64");
        transactions.set(id, { client, begunAt: Date.now(), lastUsedAt: Date.now() });
        return { transactionId: id };
      }
      case "CommitTransaction":
      case "RollbackTransaction": {
        const client = takeTransaction(transactionId);
        transactions.delete(transactionId!);
        try {
          await client.query(operation === "CommitTransaction" ? "commit" : "rollback");
        } finally {
          client.release();
        }
        return {
          transactionStatus:
            operation === "CommitTransaction" ? "Transaction Committed" : "Rollback Complete",
        };
      }
      case "Execute": {
        const bound = bindNamed(
          String(body.sql ?? ""),
          (body.parameters as WireParameter[] | undefined) ?? [],
        );
        return withClient(transactionId, body.continueAfterTimeout === true, (client) =>
          execute(client, typeNames, bound, {
            includeResultMetadata: body.includeResultMetadata as boolean | undefined,
            resultSetOptions: body.resultSetOptions as ResultOptions | undefined,
          }),
        );
      }
      case "BatchExecute": {
        // One statement, many parameter sets; outside a transaction the batch is all or nothing.
        const sets = (body.parameterSets as WireParameter[][] | undefined) ?? [[]];
        const sql = String(body.sql ?? "");
        const bounds = sets.map((set) => bindNamed(sql, set));
        return withClient(transactionId, false, async (client) => {
          if (!transactionId) await client.query("begin");
          try {
            const updateResults = [];
            for (const bound of bounds) {
              await execute(client, typeNames, bound, {});
              updateResults.push({ generatedFields: [] });
            }
            if (!transactionId) await client.query("commit");
            return { updateResults };
          } catch (error) {
            if (!transactionId) await client.query("rollback").catch(() => undefined);
            throw error;
          }
        });
      }
      default:
        throw new DataApiError("UnknownOperationException", `unknown operation ${operation}`, 404);
    }
  }

  function takeTransaction(id: string | undefined): pg.PoolClient {
    const tx = id ? transactions.get(id) : undefined;
    if (!tx) throw new DataApiError("NotFoundException", `Transaction ${id} is not found`, 404);
    tx.lastUsedAt = Date.now();
    return tx.client;
  }

  /**
   * Runs a statement on the transaction's connection or a pooled one, under the service's statement
   * timeout: past it the caller gets StatementTimeoutException, and the statement is cancelled
   * unless continueAfterTimeout asked for it to go on.
   */
  async function withClient<T>(
    transactionId: string | undefined,
    continueAfterTimeout: boolean,
    run: (client: pg.PoolClient) => Promise<T>,
  ): Promise<T> {
    const client = transactionId ? takeTransaction(transactionId) : await pool.connect();
    const pid = (client as unknown as { processID?: number }).processID;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        if (!continueAfterTimeout && pid !== undefined)
          pool.query("select pg_cancel_backend($1)", [pid]).catch(() => undefined);
        reject(new DataApiError("StatementTimeoutException", "Request timed out"));
      }, statementTimeoutMs);
    });
    const running = run(client);
    try {
      return await Promise.race([running, timedOut]);
    } catch (error) {
      if (error instanceof DataApiError) throw error;
      const e = error as { message?: string; position?: string };
      throw new DataApiError(
        "BadRequestException",
        `ERROR: ${e.message}${e.position ? `\n  Position: ${e.position}` : ""}`,
      );
    } finally {
      clearTimeout(timer);
      // A pooled connection goes back once its statement has really ended (cancelled or finished).
      if (!transactionId)
        running.then(
          () => client.release(),
          () => client.release(),
        );
      if (transactionId && transactions.has(transactionId))
        transactions.get(transactionId)!.lastUsedAt = Date.now();
    }
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const operation = (req.url ?? "/").split("?")[0]!.replace(/^\//, "");
      const reply = (status: number, payload: Record<string, unknown>, errorType?: string) => {
        const text = JSON.stringify(payload);
        res.writeHead(status, {
          "content-type": "application/json",
          ...(errorType ? { "x-amzn-errortype": errorType } : {}),
          "x-amzn-requestid": randomBytes(8).toString("hex"),
        });
        res.end(text);
      };
      Promise.resolve()
        .then(() => handle(operation, JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}")))
        .then((payload) => {
          if (Buffer.byteLength(JSON.stringify(payload)) > MAX_RESPONSE_BYTES) {
            throw new DataApiError(
              "BadRequestException",
              "Database returned more than the allowed response size limit",
            );
          }
          reply(200, payload);
        })
        .catch((error: unknown) => {
          const e =
            error instanceof DataApiError
              ? error
              : new DataApiError("InternalServerErrorException", String(error), 500);
          reply(e.status, { message: e.message }, e.code);
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    injectFault(operation, code, count, status = 400) {
      faults.push({ operation, code, remaining: count, status });
    },
    clearFaults: () => {
      faults.length = 0;
    },
    resumeFor(ms) {
      resumingUntil = Date.now() + ms;
    },
    resumingAnswers: () => resumingAnswers,
    openTransactions: () => transactions.size,
    async close() {
      clearInterval(sweeper);
      for (const { client } of transactions.values()) {
        await client.query("rollback").catch(() => undefined);
        client.release();
      }
      transactions.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await pool.end();
    },
  };
}
