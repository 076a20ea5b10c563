import { lastAuditOf, lastAudits } from "../audit/index.ts";
import type { UnitStatus } from "../core/model.ts";
import { decisionView } from "../core/store/decisions.ts";
import { virusCheckSummary } from "../core/virus-checks.ts";
import { boolParam, cacheable, json, pageOf, uuidParam } from "./http.ts";
import { MAX_TASK_PAGE } from "./queries.ts";
import type { Route, RouteContext } from "./route.ts";
import { ApiError, type ApiRequest, type ApiResponse } from "./types.ts";
import { aipView, groupByMicroservice, unitView } from "./views.ts";

const UNIT_STATUSES: UnitStatus[] = [
  "queued",
  "running",
  "awaiting-decision",
  "completed",
  "failed",
  "rejected",
];

async function unitOr404(ctx: RouteContext, raw: string) {
  const unit = await ctx.deps.store.getUnit(uuidParam(raw, "unit id"));
  if (!unit) throw new ApiError(404, `no unit ${raw}`);
  return unit;
}

async function viewsOf(ctx: RouteContext, units: Awaited<ReturnType<typeof unitOr404>>[]) {
  const progress = await ctx.queries.progressOf(units);
  return units.map((u) => unitView(u, progress.get(u.id), ctx.deps.staleAfterMs, ctx.now()));
}

async function listUnits(req: ApiRequest, ctx: RouteContext) {
  const page = pageOf(req.query, 50, 500);
  const status = req.query.status || undefined;
  if (status && !UNIT_STATUSES.includes(status as UnitStatus))
    throw new ApiError(400, `status must be one of ${UNIT_STATUSES.join(", ")}, got "${status}"`);
  const search = req.query.search?.trim() || undefined;
  if (search && search.length > 200) throw new ApiError(400, "search is limited to 200 characters");
  const { units, total } = await ctx.deps.store.listUnits({
    ...(status ? { status: status as UnitStatus } : {}),
    ...(search ? { search } : {}),
    includeHidden: boolParam(req.query.includeHidden, "includeHidden"),
    ...page,
  });
  return cacheable(req, { units: await viewsOf(ctx, units), total, ...page });
}

async function getUnit(req: ApiRequest, ctx: RouteContext, [id]: string[]) {
  const unit = await unitOr404(ctx, id!);
  const parent = unit.parentId ? await ctx.deps.store.getUnit(unit.parentId) : null;
  const children = await ctx.deps.store.listChildren(unit.id);
  const [view, ...related] = await viewsOf(ctx, [unit, ...children, ...(parent ? [parent] : [])]);
  // A transfer's AIP is its SIP's: show it on the transfer too.
  let aip = await ctx.deps.store.getAip(unit.id);
  for (const child of children) aip ??= await ctx.deps.store.getAip(child.id);
  const decisions = await ctx.decisions.ofUnit(unit.id);
  const virusChecks = await virusCheckSummary(ctx.deps.store.sql, [unit.id, ...children.map((c) => c.id)]);
  return cacheable(req, {
    unit: view,
    children: related.slice(0, children.length),
    parent: parent ? related.at(-1) : null,
    aip: aip ? { ...aipView(aip), lastAudit: await lastAuditOf(ctx.deps.store, aip.unitId) } : null,
    decisions: decisions.map(decisionView),
    virusChecks,
  });
}

async function unitJobs(req: ApiRequest, ctx: RouteContext, [id]: string[]) {
  const unit = await unitOr404(ctx, id!);
  const jobs = await ctx.queries.jobSummaries(unit.id);
  return cacheable(req, { unitId: unit.id, microservices: groupByMicroservice(jobs) });
}

async function jobTasks(req: ApiRequest, ctx: RouteContext, [id]: string[]) {
  const jobId = uuidParam(id!, "job id");
  if (!(await ctx.queries.jobExists(jobId))) throw new ApiError(404, `no job ${id}`);
  const page = pageOf(req.query, 100, MAX_TASK_PAGE);
  const failedOnly = boolParam(req.query.failed, "failed");
  const { tasks, total } = await ctx.queries.tasksPage(jobId, { ...page, failedOnly });
  return cacheable(req, { jobId, tasks, total, ...page });
}

async function getTask(req: ApiRequest, ctx: RouteContext, [id]: string[]) {
  const task = await ctx.deps.store.getTask(uuidParam(id!, "task id"));
  if (!task) throw new ApiError(404, `no task ${id}`);
  const files = await ctx.deps.store.getFiles(task.fileIds);
  return cacheable(req, {
    id: task.id,
    jobId: task.jobId,
    seq: task.seq,
    command: task.module,
    arguments: task.arguments,
    queue: task.queue,
    status: task.status,
    attempt: task.attempt,
    exitCode: task.exitCode,
    stdout: task.stdout,
    stderr: task.stderr,
    startedAt: task.startedAt?.toISOString() ?? null,
    endedAt: task.endedAt?.toISOString() ?? null,
    durationMs: task.startedAt && task.endedAt ? task.endedAt.getTime() - task.startedAt.getTime() : null,
    cpuS: task.cpuS,
    peakRssMb: task.peakRssMb,
    files: files.map((f) => ({ id: f.id, path: f.path })),
  });
}

async function failedTasks(req: ApiRequest, ctx: RouteContext, [id]: string[]) {
  const unit = await unitOr404(ctx, id!);
  return cacheable(req, { unitId: unit.id, tasks: await ctx.queries.failedTasks(unit.id, 200) });
}

async function unitFiles(req: ApiRequest, ctx: RouteContext, [id]: string[]) {
  const unit = await unitOr404(ctx, id!);
  const page = pageOf(req.query, 100, 1000);
  return cacheable(req, { unitId: unit.id, ...(await ctx.queries.filesPage(unit.id, page)), ...page });
}

async function unitEvents(req: ApiRequest, ctx: RouteContext, [id]: string[]) {
  const unit = await unitOr404(ctx, id!);
  const page = pageOf(req.query, 100, 500);
  const fileId = req.query.fileId ? uuidParam(req.query.fileId, "fileId") : undefined;
  const result = await ctx.queries.eventsPage(unit.id, { ...page, ...(fileId ? { fileId } : {}) });
  return cacheable(req, { unitId: unit.id, ...result, ...page });
}

async function unitAip(_req: ApiRequest, ctx: RouteContext, [id]: string[]) {
  const unit = await unitOr404(ctx, id!);
  const aip = await ctx.deps.store.getAip(unit.id);
  if (!aip) throw new ApiError(404, `unit ${unit.id} has no AIP (yet)`);
  const download = await ctx.deps.aipDownload(aip);
  const link =
    download.kind === "file"
      ? { kind: "file", url: `/api/units/${unit.id}/aip/download`, name: download.name, size: download.size }
      : download.kind === "url"
        ? { kind: "url", url: download.url, expiresInSeconds: download.expiresInSeconds }
        : { kind: "unavailable", reason: download.reason };
  // Not cacheable: a presigned URL changes on every call.
  return json(200, {
    aip: { ...aipView(aip), lastAudit: await lastAuditOf(ctx.deps.store, aip.unitId) },
    download: link,
  });
}

/** Every stored AIP with its last fixity audit (never audited: null), newest AIP first. */
async function audits(req: ApiRequest, ctx: RouteContext) {
  return cacheable(req, { aips: await lastAudits(ctx.deps.store) });
}

async function downloadAip(_req: ApiRequest, ctx: RouteContext, [id]: string[]): Promise<ApiResponse> {
  const unit = await unitOr404(ctx, id!);
  const aip = await ctx.deps.store.getAip(unit.id);
  if (!aip) throw new ApiError(404, `unit ${unit.id} has no AIP (yet)`);
  const download = await ctx.deps.aipDownload(aip);
  if (download.kind === "unavailable") throw new ApiError(409, download.reason);
  if (download.kind === "url")
    return { status: 302, headers: { location: download.url, "cache-control": "no-store" }, body: "" };
  return {
    status: 200,
    headers: {
      "content-type": "application/octet-stream",
      "content-length": String(download.size),
      "content-disposition": `attachment; filename="${download.name.replace(/[^\w.-]/g, "_")}"`,
      "x-content-type-options": "nosniff",
    },
    body: "",
    file: { path: download.path, size: download.size, name: download.name },
  };
}

async function pendingDecisions(req: ApiRequest, ctx: RouteContext) {
  return cacheable(req, { decisions: (await ctx.decisions.pending()).map(decisionView) });
}

async function version(req: ApiRequest, ctx: RouteContext) {
  return cacheable(req, { version: await ctx.queries.version() });
}

async function me(req: ApiRequest, ctx: RouteContext) {
  return json(200, {
    subject: req.identity!.subject,
    roles: req.identity!.roles,
    transferIntake: ctx.deps.transfers.kind,
  });
}

export const READ_ROUTES: Route[] = [
  { method: "GET", pattern: /^\/api\/me$/, role: "reader", handle: me },
  { method: "GET", pattern: /^\/api\/version$/, role: "reader", handle: version },
  { method: "GET", pattern: /^\/api\/units$/, role: "reader", handle: listUnits },
  { method: "GET", pattern: /^\/api\/units\/([^/]+)$/, role: "reader", handle: getUnit },
  { method: "GET", pattern: /^\/api\/units\/([^/]+)\/jobs$/, role: "reader", handle: unitJobs },
  { method: "GET", pattern: /^\/api\/units\/([^/]+)\/failed-tasks$/, role: "reader", handle: failedTasks },
  { method: "GET", pattern: /^\/api\/units\/([^/]+)\/files$/, role: "reader", handle: unitFiles },
  { method: "GET", pattern: /^\/api\/units\/([^/]+)\/events$/, role: "reader", handle: unitEvents },
  { method: "GET", pattern: /^\/api\/units\/([^/]+)\/aip$/, role: "reader", handle: unitAip },
  { method: "GET", pattern: /^\/api\/audits$/, role: "reader", handle: audits },
  { method: "GET", pattern: /^\/api\/units\/([^/]+)\/aip\/download$/, role: "reader", handle: downloadAip },
  { method: "GET", pattern: /^\/api\/jobs\/([^/]+)\/tasks$/, role: "reader", handle: jobTasks },
  { method: "GET", pattern: /^\/api\/tasks\/([^/]+)$/, role: "reader", handle: getTask },
  { method: "GET", pattern: /^\/api\/decisions$/, role: "reader", handle: pendingDecisions },
];
