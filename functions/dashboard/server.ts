import { randomBytes, timingSafeEqual } from "node:crypto";
import { createReadStream } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { DashboardQueries } from "./queries.ts";
import { createApiHandler } from "./router.ts";
import { serveStatic } from "./static.ts";
import type { ApiRequest, ApiResponse, DashboardDeps, Identity } from "./types.ts";

export const WEB_ROOT = fileURLToPath(new URL("./web/", import.meta.url));
const MAX_BODY = 1 << 20;
const STREAM_POLL_MS = 1000;

export interface DashboardServerOptions {
  deps: DashboardDeps;
  /** 0 picks a free port. */
  port: number;
  /** The secret the page and API calls must present; a random one when omitted. */
  token?: string;
}

export interface DashboardServer {
  /** The page's address with the token: http://127.0.0.1:PORT/?token=… */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/** Compares in constant time, so the token cannot be guessed byte by byte from response times. */
function sameSecret(given: string | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

function identityOf(req: IncomingMessage, query: URLSearchParams, token: string): Identity | null {
  const auth = req.headers.authorization;
  const bearer = auth?.startsWith("Bearer ") ? auth.slice(7).trim() : undefined;
  // Locally, whoever holds the token is the machine's user: an operator.
  return sameSecret(bearer, token) || sameSecret(query.get("token") ?? undefined, token)
    ? { subject: "local", roles: ["operator"] }
    : null;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error("request body larger than 1 MiB");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

function send(res: ServerResponse, answer: ApiResponse, head: boolean): void {
  res.writeHead(answer.status, answer.headers);
  if (head) return void res.end();
  if (answer.file) {
    const stream = createReadStream(answer.file.path);
    stream.on("error", () => res.destroy());
    stream.pipe(res);
    return;
  }
  res.end(answer.body);
}

/** Server-sent events: one `change` event whenever the store's version moves (the page then refetches). */
function stream(req: IncomingMessage, res: ServerResponse, queries: DashboardQueries): void {
  res.writeHead(200, {
    "content-type": "text/event-stream",
    "cache-control": "no-cache",
    "x-content-type-options": "nosniff",
  });
  let last = "";
  let ticks = 0;
  const tick = async () => {
    try {
      const version = await queries.version();
      if (version !== last) {
        last = version;
        res.write(`event: change\ndata: ${JSON.stringify({ version })}\n\n`);
      } else if (++ticks % 15 === 0) res.write(": keep-alive\n\n");
    } catch {
      res.end();
    }
  };
  const timer = setInterval(tick, STREAM_POLL_MS);
  void tick();
  req.on("close", () => clearInterval(timer));
}

/**
 * The local dashboard: the page and its API on 127.0.0.1 only, behind a random token (as Jupyter
 * does). Requests whose Host is not this loopback address are refused (DNS rebinding).
 */
export async function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  const token = options.token ?? randomBytes(24).toString("base64url");
  const handle = createApiHandler(options.deps);
  const queries = new DashboardQueries(options.deps.store.sql);
  const sockets = new Set<import("node:net").Socket>();
  let port = options.port;

  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? "/", "http://127.0.0.1");
      const host = req.headers.host ?? "";
      if (host !== `127.0.0.1:${port}` && host !== `localhost:${port}`) {
        res.writeHead(421, { "content-type": "text/plain" });
        return void res.end("misdirected request: use the 127.0.0.1 address serve printed\n");
      }
      if (url.pathname === "/config.json") {
        // The AWS deployment publishes its sign-in settings here; locally the token is the sign-in.
        res.writeHead(200, { "content-type": "application/json", "cache-control": "no-cache" });
        return void res.end("{}");
      }
      if (!url.pathname.startsWith("/api/"))
        return void (await serveStatic(req, res, url.pathname, WEB_ROOT));
      const identity = identityOf(req, url.searchParams, token);
      if (url.pathname === "/api/stream" && identity) return stream(req, res, queries);
      const request: ApiRequest = {
        method: req.method ?? "GET",
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: req.headers as Record<string, string | undefined>,
        body: req.method === "POST" ? await readBody(req) : undefined,
        identity,
      };
      send(res, await handle(request), req.method === "HEAD");
    } catch (error) {
      if (!res.headersSent) res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: (error as Error).message, status: 400 }));
    }
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, "127.0.0.1", () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve) => {
        // Event streams never end on their own: end open connections so close() returns.
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
