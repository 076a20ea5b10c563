import { DecisionStore } from "../core/store/decisions.ts";
import { problem } from "./http.ts";
import { DashboardQueries } from "./queries.ts";
import type { Route, RouteContext } from "./route.ts";
import { READ_ROUTES } from "./routes-read.ts";
import { WRITE_ROUTES } from "./routes-write.ts";
import { ApiError, type ApiRequest, type ApiResponse, type DashboardDeps, type Role } from "./types.ts";

const ROUTES: Route[] = [...READ_ROUTES, ...WRITE_ROUTES];

export type ApiHandler = (req: ApiRequest) => Promise<ApiResponse>;

function allowed(have: Role[], need: Role): boolean {
  return need === "reader" ? have.includes("reader") || have.includes("operator") : have.includes("operator");
}

/**
 * The dashboard API as one function, free of any HTTP framework: the local server and the Lambda
 * adapter both turn their requests into an ApiRequest and write the ApiResponse back. It answers
 * 401 to an unauthenticated request, 403 to a reader calling an operator route, 4xx with a JSON
 * `{error}` for bad input, and never lets an internal error's stack reach the client.
 */
export function createApiHandler(deps: DashboardDeps): ApiHandler {
  const ctx: RouteContext = {
    deps,
    queries: new DashboardQueries(deps.store.sql),
    decisions: new DecisionStore(deps.store.sql),
    now: deps.now ?? Date.now,
  };
  return async function handleApiRequest(req: ApiRequest): Promise<ApiResponse> {
    if (!req.path.startsWith("/api/")) return problem(404, `not an API path: ${req.path}`);
    if (!req.identity)
      return { ...problem(401, "authentication required"), headers: withChallenge(problem(401, "").headers) };
    const method = req.method.toUpperCase() === "HEAD" ? "GET" : req.method.toUpperCase();
    let pathMatched = false;
    for (const route of ROUTES) {
      const match = route.pattern.exec(req.path);
      if (!match) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      if (!allowed(req.identity.roles, route.role))
        return problem(403, `${req.identity.subject} may not do this: it needs the ${route.role} role`);
      try {
        return await route.handle(req, ctx, match.slice(1).map(decodeURIComponent));
      } catch (error) {
        if (error instanceof ApiError) return problem(error.status, error.message);
        if (error instanceof URIError) return problem(400, `malformed path: ${req.path}`);
        process.stderr.write(
          `dashboard api ${req.method} ${req.path}: ${(error as Error)?.stack ?? error}\n`,
        );
        return problem(500, "internal error (logged on the server)");
      }
    }
    return pathMatched
      ? problem(405, `${req.method} is not allowed on ${req.path}`)
      : problem(404, `no such API route: ${req.path}`);
  };
}

function withChallenge(headers: Record<string, string>) {
  return { ...headers, "www-authenticate": 'Bearer realm="stepmatica"' };
}
