import { answerDecision as answerAndResume } from "../core/decisions.ts";
import { DecisionAnswerError, type DecisionValue, decisionView } from "../core/store/decisions.ts";
import { json, jsonBody, uuidParam } from "./http.ts";
import type { Route, RouteContext } from "./route.ts";
import { ApiError, type ApiRequest } from "./types.ts";
import { FINISHED_STATUSES } from "./views.ts";

const isStringArray = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((s) => typeof s === "string");

async function startTransfer(req: ApiRequest, ctx: RouteContext) {
  const intake = ctx.deps.transfers;
  if (intake.kind !== "local-path")
    throw new ApiError(400, "transfers start by upload here: POST /api/transfers/uploads");
  const body = jsonBody(req);
  if (typeof body.path !== "string" || body.path.trim() === "")
    throw new ApiError(400, "path (a folder or package on the server) is required");
  if (body.name !== undefined && typeof body.name !== "string") throw new ApiError(400, "name must be text");
  if (body.set !== undefined && !isStringArray(body.set))
    throw new ApiError(400, "set must be a list of KEY=VALUE strings");
  if (body.preset !== undefined && body.preset !== "default" && body.preset !== "automated")
    throw new ApiError(400, 'preset must be "default" or "automated"');
  const started = await intake.start(
    {
      path: body.path,
      ...(body.name ? { name: body.name } : {}),
      ...(body.set ? { set: body.set } : {}),
      ...(body.preset ? { preset: body.preset } : {}),
    },
    req.identity!.subject,
  );
  return json(202, { id: started.id, unit: `/api/units/${started.id}` });
}

const UPLOAD_NAME = /^[\w][\w .,()+-]{0,200}$/;

async function presignUpload(req: ApiRequest, ctx: RouteContext) {
  const intake = ctx.deps.transfers;
  if (intake.kind !== "upload")
    throw new ApiError(400, "transfers start from a path here: POST /api/transfers {path}");
  const { filename } = jsonBody(req);
  if (typeof filename !== "string" || !UPLOAD_NAME.test(filename) || filename.includes(".."))
    throw new ApiError(400, "filename must be a plain file name (letters, digits, space, . , ( ) + - _)");
  const upload = await intake.presignUpload(filename);
  return json(200, { method: "PUT", ...upload });
}

async function answerDecision(req: ApiRequest, ctx: RouteContext, [id]: string[]) {
  const { answer } = jsonBody(req);
  if (typeof answer !== "string" && typeof answer !== "number" && typeof answer !== "boolean")
    throw new ApiError(400, "answer (one of the decision's choice values) is required");
  const engine = ctx.deps.engine;
  if (!engine)
    throw new ApiError(503, "this deployment cannot resume a waiting workflow (no workflow engine)");
  try {
    const decision = await answerAndResume(
      { store: ctx.deps.store, engine },
      uuidParam(id!, "decision id"),
      answer as DecisionValue,
      req.identity!.subject,
    );
    return json(200, decisionView(decision));
  } catch (error) {
    if (error instanceof DecisionAnswerError) throw new ApiError(error.status, error.message);
    throw error;
  }
}

async function hideUnit(req: ApiRequest, ctx: RouteContext, [id]: string[]) {
  const unit = await ctx.deps.store.getUnit(uuidParam(id!, "unit id"));
  if (!unit) throw new ApiError(404, `no unit ${id}`);
  const { hidden = true } = jsonBody(req);
  if (typeof hidden !== "boolean") throw new ApiError(400, "hidden must be true or false");
  if (hidden && !(FINISHED_STATUSES as readonly string[]).includes(unit.status))
    throw new ApiError(
      409,
      `unit ${unit.id} is ${unit.status}: only completed, failed or rejected units are hidden`,
    );
  await ctx.deps.store.updateUnit(unit.id, { hidden });
  return json(200, { id: unit.id, hidden });
}

/** Clears old finished units from the lists in one go (they stay in the store, their AIPs stay stored). */
async function clearUnits(req: ApiRequest, ctx: RouteContext) {
  const body = jsonBody(req);
  const before = body.before === undefined ? new Date(ctx.now()) : new Date(String(body.before));
  if (Number.isNaN(before.getTime())) throw new ApiError(400, "before must be an ISO 8601 date-time");
  const statuses = body.statuses ?? FINISHED_STATUSES;
  if (!isStringArray(statuses) || statuses.some((s) => !(FINISHED_STATUSES as readonly string[]).includes(s)))
    throw new ApiError(400, `statuses must be a list drawn from ${FINISHED_STATUSES.join(", ")}`);
  const hidden = await ctx.queries.hideFinished(before, statuses);
  return json(200, { hidden: hidden.length, ids: hidden });
}

export const WRITE_ROUTES: Route[] = [
  { method: "POST", pattern: /^\/api\/transfers$/, role: "operator", handle: startTransfer },
  { method: "POST", pattern: /^\/api\/transfers\/uploads$/, role: "operator", handle: presignUpload },
  { method: "POST", pattern: /^\/api\/decisions\/([^/]+)$/, role: "operator", handle: answerDecision },
  { method: "POST", pattern: /^\/api\/units\/clear$/, role: "operator", handle: clearUnits },
  { method: "POST", pattern: /^\/api\/units\/([^/]+)\/hide$/, role: "operator", handle: hideUnit },
];
