import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import path from "node:path";

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json; charset=utf-8",
  ".png": "image/png",
  ".ico": "image/x-icon",
};

/**
 * Headers for the page: scripts only from this origin and no inline script, so even text that
 * slipped into the DOM as markup could not run; no referrer, so the token in the URL never leaks.
 */
export const PAGE_HEADERS = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'",
  "referrer-policy": "no-referrer",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "cache-control": "no-cache",
};

/** Serves the page's files from `root` (GET/HEAD only, nothing outside root, "/" is index.html). */
export async function serveStatic(
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  root: string,
): Promise<void> {
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.writeHead(405, { allow: "GET, HEAD", "content-type": "text/plain" });
    return void res.end("method not allowed\n");
  }
  let rel: string;
  try {
    rel = decodeURIComponent(pathname === "/" ? "/index.html" : pathname);
  } catch {
    rel = "/\0";
  }
  const file = path.resolve(root, `.${rel}`);
  const type = TYPES[path.extname(file)];
  const body =
    type && file.startsWith(root) && !rel.includes("\0") ? await readFile(file).catch(() => null) : null;
  if (!body) {
    res.writeHead(404, { "content-type": "text/plain", ...PAGE_HEADERS });
    return void res.end("not found\n");
  }
  res.writeHead(200, { "content-type": type!, "content-length": String(body.length), ...PAGE_HEADERS });
  res.end(req.method === "HEAD" ? undefined : body);
}
