import { timingSafeEqual } from "node:crypto";
import type { Server, Socket } from "node:net";
import type { PGlite } from "@electric-sql/pglite";
import { PanicScanner } from "./panic-scanner.ts";

/**
 * One embedded PGlite served over the PostgreSQL wire protocol, so several processes share one data
 * folder through `pg` (the home's database owner, functions/cli/db-owner.ts).
 *
 * PGlite is one backend session. Clients take turns at the granularity PostgreSQL itself guarantees:
 * a whole message batch up to Sync (extended protocol) or one Query (simple protocol) runs alone, and
 * a connection that leaves a transaction open keeps the session until it commits, rolls back or goes
 * away (then its transaction is rolled back). Turning at single messages instead would let two
 * clients' Parse/Bind/Execute interleave on the session's one unnamed statement.
 *
 * Clients authenticate with a password (cleartext over a local socket; the secret is a file only the
 * home's user can read), because a socket is reachable by every user of the machine.
 */

const SSL_REQUEST = 80877103;
const GSS_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3 = 196608;

export interface WireServerOptions {
  db: PGlite;
  /** A listening server (a socket path; an abstract one on Linux). */
  server: Server;
  password: string;
  /** Told when the number of open connections changes (the owner stops when idle). */
  onConnections?(count: number): void;
  /** PGlite threw (a WASM abort, not an SQL error, which is answered to its client): the session is unusable. */
  onFatal?(error: unknown): void;
  /**
   * PostgreSQL answered a client PANIC (its message given): the session must not run another
   * statement, as a server would restart its backends; none is run once this is called.
   */
  onPanic?(message: string): void;
}

/** Who takes a turn: a client's connection, or the owner itself (maintenance such as VACUUM). */
type TurnTaker = object;

interface Waiter {
  connection: TurnTaker;
  start(): void;
}

/** Who may use the session next: one batch at a time, and an open transaction's connection first. */
class Turns {
  private busy = false;
  /** After a PANIC: no turn is given again. */
  private broken = false;
  private holder: TurnTaker | null = null;
  private readonly waiting: Waiter[] = [];

  constructor(private readonly db: PGlite) {}

  async run<T>(connection: TurnTaker, work: () => Promise<T>): Promise<T> {
    await new Promise<void>((start) => {
      this.waiting.push({ connection, start });
      this.next();
    });
    try {
      return await work();
    } finally {
      this.busy = false;
      this.holder = this.db.isInTransaction() ? connection : null;
      this.next();
    }
  }

  /** A connection went away: its open transaction is rolled back and the session freed. */
  async release(connection: TurnTaker): Promise<void> {
    const index = this.waiting.findIndex((w) => w.connection === connection);
    if (index >= 0) this.waiting.splice(index, 1);
    if (this.holder !== connection) return;
    await new Promise<void>((start) => {
      this.waiting.unshift({ connection, start });
      this.next();
    });
    try {
      if (this.db.isInTransaction()) await this.db.exec("rollback");
    } finally {
      this.busy = false;
      this.holder = null;
      this.next();
    }
  }

  /** Gives no turn again: whoever waits keeps waiting until its connection goes. */
  stop(): void {
    this.broken = true;
  }

  private next(): void {
    if (this.busy || this.broken) return;
    const index = this.holder ? this.waiting.findIndex((w) => w.connection === this.holder) : 0;
    if (index < 0 || index >= this.waiting.length) return;
    const [waiter] = this.waiting.splice(index, 1);
    this.busy = true;
    waiter!.start();
  }
}

class Connection {
  private buffer = Buffer.alloc(0);
  /**
   * Chunks received after `buffer`, joined only once a whole message is there: joining on every
   * chunk copied a 4 MB statement (2,000 rows of files) some 60 times, and the freed copies stayed
   * in the owner's resident memory.
   */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private phase: "startup" | "password" | "ready" = "startup";
  private startup: Buffer | null = null;
  private batch: Buffer[] = [];
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly socket: Socket,
    private readonly db: PGlite,
    private readonly turns: Turns,
    private readonly password: string,
    private readonly onFatal: ((error: unknown) => void) | undefined,
    private readonly onPanic: ((message: string) => void) | undefined,
  ) {
    socket.on("data", (chunk: Buffer) => {
      this.pending.push(chunk);
      this.pendingBytes += chunk.length;
      // Messages are handled in order, one batch after the other.
      this.chain = this.chain.then(() => this.drain()).catch((error) => this.fail(error));
    });
  }

  private async drain(): Promise<void> {
    for (;;) {
      if (this.phase === "startup") {
        if (!this.holds(8)) return;
        const length = this.buffer.readInt32BE(0);
        if (!this.holds(length)) return;
        const message = this.take(length);
        const code = message.readInt32BE(4);
        if (code === SSL_REQUEST || code === GSS_REQUEST) this.socket.write("N");
        else if (code === CANCEL_REQUEST) this.socket.end();
        else if (code === PROTOCOL_3) {
          this.startup = message;
          this.phase = "password";
          this.socket.write(authentication(3)); // AuthenticationCleartextPassword
        } else return this.refuse("08P01", "unsupported frontend protocol");
        continue;
      }
      if (!this.holds(5)) return;
      const length = this.buffer.readInt32BE(1);
      if (!this.holds(length + 1)) return;
      const message = this.take(length + 1);
      const type = String.fromCharCode(message[0]!);
      if (this.phase === "password") {
        if (type !== "p" || !samePassword(message.subarray(5, -1).toString("utf8"), this.password))
          return this.refuse("28P01", "password authentication failed for the home's database");
        this.phase = "ready";
        const startup = this.startup!;
        await this.turns.run(this, () => this.execute(startup));
        continue;
      }
      if (type === "X") {
        this.socket.end();
        return;
      }
      this.batch.push(message);
      // A batch ends where PostgreSQL answers with ReadyForQuery: Sync or a simple Query.
      if (type === "S" || type === "Q") {
        const batch = Buffer.concat(this.batch);
        this.batch = [];
        await this.turns.run(this, () => this.execute(batch));
      }
    }
  }

  /**
   * The answer goes to the socket as the backend writes it, copied once: `execProtocolRaw` gathered
   * it into one growing buffer, copied it again to return it, and parsed every message of it into
   * objects that piled up in PGlite until its next `exec` (20 answers of 15,000 rows: 99 MB of heap
   * kept after a collection, against 20 MB streamed).
   */
  private async execute(message: Buffer): Promise<void> {
    const scanner = new PanicScanner();
    try {
      await this.db.execProtocolRawStream(message, {
        // A view of PGlite's WebAssembly memory, overwritten by the next bytes: copied before queueing.
        onRawData: (data) => {
          scanner.feed(data);
          if (!this.socket.destroyed) this.socket.write(Buffer.from(data));
        },
      });
    } catch (error) {
      this.onFatal?.(error);
      throw error;
    }
    if (scanner.panic !== null) {
      this.turns.stop();
      this.onPanic?.(scanner.panic);
    }
  }

  /** Whether `bytes` bytes have arrived; if so, they are in `buffer` (one join of what is pending). */
  private holds(bytes: number): boolean {
    if (this.buffer.length >= bytes) return true;
    if (this.buffer.length + this.pendingBytes < bytes) return false;
    this.buffer = Buffer.concat([this.buffer, ...this.pending]);
    this.pending = [];
    this.pendingBytes = 0;
    return true;
  }

  private take(length: number): Buffer {
    const message = this.buffer.subarray(0, length);
    this.buffer = this.buffer.subarray(length);
    return message;
  }

  private refuse(code: string, text: string): void {
    this.socket.end(errorResponse(code, text));
    this.buffer = Buffer.alloc(0);
    this.pending = [];
    this.pendingBytes = 0;
  }

  private fail(error: unknown): void {
    this.socket.destroy(error instanceof Error ? error : new Error(String(error)));
  }

  async close(): Promise<void> {
    await this.chain.catch(() => {});
    await this.turns.release(this);
  }
}

/**
 * Serves the database on a server that is already listening (the owner takes the address before it
 * opens the data folder). Returns how to stop: refuse new connections, then close the open ones.
 */
export function serveWire(options: WireServerOptions) {
  const turns = new Turns(options.db);
  const open = new Set<Socket>();
  const closing = new Set<Promise<void>>();
  let refusing = false;
  options.server.on("connection", (socket: Socket) => {
    if (refusing || socket.destroyed) {
      socket.destroy();
      return;
    }
    open.add(socket);
    options.onConnections?.(open.size);
    const connection = new Connection(
      socket,
      options.db,
      turns,
      options.password,
      options.onFatal,
      options.onPanic,
    );
    socket.on("error", () => {});
    socket.on("close", () => {
      open.delete(socket);
      const closed = connection.close().finally(() => {
        closing.delete(closed);
        if (!refusing) options.onConnections?.(open.size);
      });
      closing.add(closed);
    });
  });
  const owner: TurnTaker = {};
  return {
    /**
     * Runs `work` on the session between clients' turns, never inside a client's open transaction
     * (what VACUUM needs). Work that leaves a transaction open would keep the session: it must not.
     */
    exclusive: <T>(work: () => Promise<T>): Promise<T> => turns.run(owner, work),
    /** Stops taking connections and ends the open ones (their transactions rolled back). */
    async refuseNew(): Promise<void> {
      refusing = true;
      const ended = [...open].map((socket) =>
        socket.closed ? Promise.resolve() : new Promise((resolve) => socket.once("close", resolve)),
      );
      for (const socket of open) socket.destroy();
      await Promise.all(ended);
      await Promise.all([...closing]);
    },
    close: () =>
      new Promise<void>((resolve) => {
        refusing = true;
        for (const socket of open) socket.destroy();
        options.server.close(() => resolve());
      }),
  };
}

function samePassword(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function authentication(code: number): Buffer {
  const message = Buffer.alloc(9);
  message.write("R", 0);
  message.writeInt32BE(8, 1);
  message.writeInt32BE(code, 5);
  return message;
}

function errorResponse(code: string, text: string): Buffer {
  const fields = Buffer.from(`SFATAL\0VFATAL\0C${code}\0M${text}\0\0`, "utf8");
  const message = Buffer.alloc(5);
  message.write("E", 0);
  message.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([message, fields]);
}
