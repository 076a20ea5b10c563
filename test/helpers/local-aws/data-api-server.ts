/**
 * A local stand-in for the RDS Data API: an HTTP server speaking its REST-JSON protocol (POST /Execute,
 * /BeginTransaction, /CommitTransaction, /RollbackTransaction) that runs the SQL on a real PostgreSQL.
 * The real SDK serializes and deserializes every call. It answers SQL errors with BadRequestException,
 * responses over 1 MiB with the service's "response size limit" error, and can inject service faults.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { bindNamed, DataApiError, execute, type ResultOptions, type WireParameter } from "./data-api-sql.ts";

export interface DataApiServer {
  endpoint: string;
  /** The next `count` calls of `operation` answer with the named error instead of running. */
  injectFault(operation: "Execute" | "BeginTransaction", code: string, count: number, status?: number): void;
  /** Statements run, by operation (what the adapter actually sent). */
  calls: Array<{ operation: string; sql?: string; transactionId?: string }>;
  clearFaults(): void;
  openTransactions(): number;
  close(): Promise<void>;
}

export const MAX_RESPONSE_BYTES = 1024 * 1024;

export async function startDataApiServer(options: {
  connectionString: string;
  schema: string;
}): Promise<DataApiServer> {
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
  const transactions = new Map<string, pg.PoolClient>();
  const faults: Array<{ operation: string; code: string; remaining: number; status: number }> = [];
  const calls: DataApiServer["calls"] = [];

  async function handle(operation: string, body: Record<string, unknown>): Promise<Record<string, unknown>> {
    const transactionId = body.transactionId as string | undefined;
    calls.push({ operation, sql: body.sql as string | undefined, transactionId });
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
        transactions.set(id, client);
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
        const runner = transactionId ? takeTransaction(transactionId) : pool;
        const bound = bindNamed(
          String(body.sql ?? ""),
          (body.parameters as WireParameter[] | undefined) ?? [],
        );
        try {
          return await execute(runner, typeNames, bound, {
            includeResultMetadata: body.includeResultMetadata as boolean | undefined,
            resultSetOptions: body.resultSetOptions as ResultOptions | undefined,
          });
        } catch (error) {
          if (error instanceof DataApiError) throw error;
          const e = error as { message?: string; position?: string };
          throw new DataApiError(
            "BadRequestException",
            `ERROR: ${e.message}${e.position ? `\n  Position: ${e.position}` : ""}`,
          );
        }
      }
      default:
        throw new DataApiError("UnknownOperationException", `unknown operation ${operation}`, 404);
    }
  }

  function takeTransaction(id: string | undefined): pg.PoolClient {
    const client = id ? transactions.get(id) : undefined;
    if (!client) throw new DataApiError("NotFoundException", `Transaction ${id} is not found`, 404);
    return client;
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
    openTransactions: () => transactions.size,
    async close() {
      for (const client of transactions.values()) {
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
