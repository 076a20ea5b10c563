import { randomBytes } from "node:crypto";

/**
 * The real PostgreSQL and Redis of this machine kind. CI sets DATABASE_URL and REDIS_URL; without
 * them the suites still run against the standard local addresses (they never skip silently: a
 * missing server is a failure, not a pass). Set but empty means unset, as for the stepmatica command.
 */
export const DATABASE_URL = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";
export const REDIS_URL = process.env.REDIS_URL || "redis://127.0.0.1:6379";

/** A name for a schema or key prefix that no other test run uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString("hex")}`;
}
