import type { ApiRequest, ApiResponse, Identity, Role } from "./types.ts";

/** The parts of an API Gateway HTTP API (payload 2.0) event the dashboard reads. */
export interface HttpApiEvent {
  rawPath: string;
  rawQueryString?: string;
  headers?: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded?: boolean;
  requestContext: {
    http: { method: string };
    stage?: string;
    authorizer?: { jwt?: { claims?: Record<string, unknown> } };
  };
}

export interface HttpApiResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: false;
}

export interface RoleMapping {
  /** Members of this Cognito group are operators (default "operators"). */
  operatorGroup: string;
  /** When set, only members of this group (or operators) may read; otherwise every signed-in user reads. */
  readerGroup?: string;
}

/**
 * Cognito groups as API Gateway's JWT authorizer hands them over: an array claim arrives as the
 * text "[a b]" (or, from some identity providers, "a,b"); a real array is accepted too.
 */
export function groupsOf(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.map(String);
  if (typeof claim !== "string") return [];
  return claim
    .replace(/^\[|\]$/g, "")
    .split(/[\s,]+/)
    .map((g) => g.replace(/^"|"$/g, ""))
    .filter(Boolean);
}

/** Who the JWT authorizer let in, and what they may do; null when no authorizer ran. */
export function identityFromClaims(
  claims: Record<string, unknown> | undefined,
  roles: RoleMapping,
): Identity | null {
  if (!claims || typeof claims.sub !== "string") return null;
  const groups = groupsOf(claims["cognito:groups"]);
  const granted: Role[] = [];
  const operator = groups.includes(roles.operatorGroup);
  if (operator || !roles.readerGroup || groups.includes(roles.readerGroup)) granted.push("reader");
  if (operator) granted.push("operator");
  const name = claims["cognito:username"] ?? claims.email ?? claims.username ?? claims.sub;
  return { subject: String(name), roles: granted };
}

export function toApiRequest(event: HttpApiEvent, roles: RoleMapping): ApiRequest {
  const headers: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(event.headers ?? {})) headers[k.toLowerCase()] = v;
  // A named stage prefixes rawPath ("/prod/api/units"); the $default stage does not.
  const stage = event.requestContext.stage;
  const path =
    stage && stage !== "$default" && event.rawPath.startsWith(`/${stage}/`)
      ? event.rawPath.slice(stage.length + 1)
      : event.rawPath;
  const body =
    event.body === undefined
      ? undefined
      : event.isBase64Encoded
        ? Buffer.from(event.body, "base64").toString("utf8")
        : event.body;
  return {
    method: event.requestContext.http.method,
    path,
    query: Object.fromEntries(new URLSearchParams(event.rawQueryString ?? "")),
    headers,
    body,
    identity: identityFromClaims(event.requestContext.authorizer?.jwt?.claims, roles),
  };
}

/** A file body cannot leave a Lambda: on AWS downloads are presigned redirects, so this never streams. */
export function toHttpApiResult(response: ApiResponse): HttpApiResult {
  if (response.file) {
    return {
      statusCode: 500,
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ error: "a local file cannot be sent from the api function", status: 500 }),
      isBase64Encoded: false,
    };
  }
  return {
    statusCode: response.status,
    headers: response.headers,
    body: response.body,
    isBase64Encoded: false,
  };
}
