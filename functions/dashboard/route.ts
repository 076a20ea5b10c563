import type { DecisionStore } from "../core/store/decisions.ts";
import type { DashboardQueries } from "./queries.ts";
import type { ApiRequest, ApiResponse, DashboardDeps, Role } from "./types.ts";

export interface RouteContext {
  deps: DashboardDeps;
  queries: DashboardQueries;
  decisions: DecisionStore;
  now(): number;
}

export interface Route {
  method: "GET" | "POST";
  /** Matched against the path; capture groups become the handler's params. */
  pattern: RegExp;
  /** The least role that may call it (operator includes reader). */
  role: Role;
  handle(req: ApiRequest, ctx: RouteContext, params: string[]): Promise<ApiResponse>;
}
