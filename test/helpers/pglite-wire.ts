import { randomUUID } from "node:crypto";
import { createServer, Socket } from "node:net";
import type { PGlite } from "@electric-sql/pglite";
import { serveWire, type WireServerOptions } from "../../functions/adapters/sql/pglite-server.ts";

/** The password the wire servers of these tests ask for. */
export const WIRE_PASSWORD = "contract-test-password";

/**
 * `db` served as the home's database owner serves it (serveWire) on a socket of its own; `config`
 * gives `pg` what it needs to connect there. `close` ends the connections and the database;
 * `wire.close` ends the connections only.
 */
export async function serveOverWire(db: PGlite, options: Pick<WireServerOptions, "onPanic"> = {}) {
  const address =
    process.platform === "linux" ? `\0stepmatica-test-${randomUUID()}` : `/tmp/sm-${randomUUID()}`;
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(address, resolve));
  const wire = serveWire({ db, server, password: WIRE_PASSWORD, ...options });
  const stream = () => {
    const socket = new Socket();
    const connectTo = socket.connect.bind(socket);
    socket.connect = (() => connectTo({ path: address })) as typeof socket.connect;
    return socket;
  };
  const config = (password = WIRE_PASSWORD) =>
    ({ stream, password, user: "postgres", database: "postgres" }) as object;
  return {
    config,
    wire,
    async close() {
      await wire.close();
      await db.close();
    },
  };
}
