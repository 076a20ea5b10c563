import { createHash } from "node:crypto";
import { ApiError, type ApiRequest, type ApiResponse } from "./types.ts";

/** Headers every API answer carries: JSON that no browser sniffs, frames or caches without asking. */
const BASE_HEADERS = {
  "content-type": "application/json; charset=utf-8",
  "x-content-type-options": "nosniff",
  "cache-control": "no-cache",
};

export function json(status: number, value: unknown, extra: Record<string, string> = {}): ApiResponse {
  return { status, headers: { ...BASE_HEADERS, ...extra }, body: JSON.stringify(value) };
}

export function problem(status: number, message: string): ApiResponse {
  return json(status, { error: message, status });
}

/**
 * A GET answer with an ETag: a poller sending If-None-Match gets 304 and no body when nothing
 * changed (the browser's fetch does this by itself with `cache: "no-cache"`).
 */
export function cacheable(req: ApiRequest, value: unknown): ApiResponse {
  const body = JSON.stringify(value);
  const etag = `"${createHash("sha1").update(body).digest("base64url").slice(0, 27)}"`;
  const seen = req.headers["if-none-match"];
  if (seen?.split(",").some((t) => t.trim().replace(/^W\//, "") === etag)) {
    return { status: 304, headers: { etag, "cache-control": "no-cache" }, body: "" };
  }
  return { status: 200, headers: { ...BASE_HEADERS, etag }, body };
}

export interface Page {
  limit: number;
  offset: number;
}

/** `limit` (1..max, default def) and `offset` (>= 0) from the query; anything else is a 400. */
export function pageOf(query: ApiRequest["query"], def: number, max: number): Page {
  const limit = intParam(query.limit, "limit", def);
  const offset = intParam(query.offset, "offset", 0);
  if (limit < 1 || limit > max) throw new ApiError(400, `limit must be between 1 and ${max}, got ${limit}`);
  if (offset < 0) throw new ApiError(400, `offset must be 0 or more, got ${offset}`);
  return { limit, offset };
}

function intParam(raw: string | undefined, name: string, def: number): number {
  if (raw === undefined || raw === "") return def;
  if (!/^\d+$/.test(raw)) throw new ApiError(400, `${name} must be a whole number, got "${raw}"`);
  return Number(raw);
}

export function boolParam(raw: string | undefined, name: string): boolean {
  if (raw === undefined || raw === "" || raw === "false" || raw === "0") return false;
  if (raw === "true" || raw === "1") return true;
  throw new ApiError(400, `${name} must be true or false, got "${raw}"`);
}

export function jsonBody(req: ApiRequest): Record<string, unknown> {
  if (!req.body) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(req.body);
  } catch (error) {
    throw new ApiError(400, `the request body is not JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed))
    throw new ApiError(400, "the request body must be a JSON object");
  return parsed as Record<string, unknown>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function uuidParam(raw: string, what: string): string {
  if (!UUID.test(raw)) throw new ApiError(400, `${what} must be a UUID, got "${raw}"`);
  return raw.toLowerCase();
}
