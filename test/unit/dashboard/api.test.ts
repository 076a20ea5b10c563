import { randomUUID } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExecutionStore } from "../../../functions/adapters/local/execution-store.ts";
import { LocalWorkflowEngine } from "../../../functions/adapters/local/local-engine.ts";
import { PgliteSql } from "../../../functions/adapters/sql/pglite.ts";
import { TaskStore } from "../../../functions/core/store/task-store.ts";
import { s3TransferUploads } from "../../../functions/dashboard/aws/s3-links.ts";
import { localAipDownload } from "../../../functions/dashboard/local-deps.ts";
import { OUTPUT_PREVIEW } from "../../../functions/dashboard/queries.ts";
import { type ApiHandler, createApiHandler } from "../../../functions/dashboard/router.ts";
import type { ApiRequest, Identity } from "../../../functions/dashboard/types.ts";
import { compiled } from "../../../workflows/index.ts";
import { tempDir } from "../../helpers/fixtures.ts";
import { addJob, FAILING_STDERR, HOSTILE_STDOUT, type Seeded, seedStore } from "./seed.ts";

const OPERATOR: Identity = { subject: "olivia", roles: ["operator"] };
const READER: Identity = { subject: "rita", roles: ["reader"] };

let root: string;
let sql: PgliteSql;
let store: TaskStore;
let seeded: Seeded;
let handle: ApiHandler;
let aipFile: string;

beforeAll(async () => {
  root = await tempDir("dashboard-api");
  aipFile = path.join(root, "aips", "alpha-records.7z");
  await mkdir(path.dirname(aipFile), { recursive: true });
  await writeFile(aipFile, "7z bytes of the AIP");
  sql = await PgliteSql.open();
  store = new TaskStore(sql);
  await store.migrate();
  seeded = await seedStore(store, aipFile);
  handle = createApiHandler({
    store,
    aipDownload: localAipDownload,
    // Presigning is computed locally: the real S3 intake, no server needed.
    transfers: s3TransferUploads(
      new S3Client({
        region: "eu-west-1",
        endpoint: "http://127.0.0.1:9",
        forcePathStyle: true,
        credentials: { accessKeyId: "AKIDTEST", secretAccessKey: "secret" },
      }),
      "transfer-bucket",
      "transfers/",
    ),
    staleAfterMs: 20_000,
    // A real engine with no execution waiting: an answer's SendTaskSuccess finds no token (harmless).
    engine: new LocalWorkflowEngine({
      definitions: { transfer: compiled("transfer"), ingest: compiled("ingest") },
      executions: new ExecutionStore(sql),
      dispatchJob: async () => {},
    }),
  });
});

afterAll(async () => {
  await sql.close();
  await rm(root, { recursive: true, force: true });
});

async function call(
  pathAndQuery: string,
  options: {
    method?: string;
    body?: unknown;
    identity?: Identity | null;
    headers?: Record<string, string>;
  } = {},
) {
  const url = new URL(pathAndQuery, "http://x");
  const req: ApiRequest = {
    method: options.method ?? "GET",
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: options.headers ?? {},
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    identity: options.identity === undefined ? READER : options.identity,
  };
  const res = await handle(req);
  return { ...res, json: res.body ? JSON.parse(res.body) : null };
}

describe("dashboard API: access", () => {
  it("answers 401 without an identity, on every route", async () => {
    for (const p of ["/api/units", `/api/units/${seeded.completed}`, "/api/decisions", "/api/me"]) {
      const res = await call(p, { identity: null });
      expect(res.status, p).toBe(401);
      expect(res.headers["www-authenticate"]).toContain("Bearer");
    }
  });

  it("lets a reader read but not act (403), and an operator act", async () => {
    expect((await call("/api/me")).json).toMatchObject({ subject: "rita", roles: ["reader"] });
    const hide = await call(`/api/units/${seeded.failed}/hide`, { method: "POST", body: {} });
    expect(hide.status).toBe(403);
    expect(hide.json.error).toContain("operator");
    const answer = await call(`/api/decisions/${seeded.decision}`, {
      method: "POST",
      body: { answer: "none" },
    });
    expect(answer.status).toBe(403);
  });

  it("404 for unknown routes and units, 405 for a wrong method, 400 for a malformed id", async () => {
    expect((await call("/api/nothing")).status).toBe(404);
    expect((await call("/api/units/00000000-0000-4000-8000-000000000000")).status).toBe(404);
    expect((await call("/api/units", { method: "POST", identity: OPERATOR })).status).toBe(405);
    const bad = await call("/api/units/not-a-uuid");
    expect(bad.status).toBe(400);
    expect(bad.json.error).toContain("not-a-uuid");
  });
});

describe("dashboard API: units", () => {
  it("lists units with status and progress, newest first", async () => {
    const res = await call("/api/units");
    expect(res.status).toBe(200);
    const byName = new Map<
      string,
      { status: string; progress: { fraction: number; currentJob: string | null } }
    >(res.json.units.map((u: { name: string; type: string }) => [`${u.name}:${u.type}`, u]));
    expect(res.json.total).toBe(4);
    expect(byName.get("alpha-records:transfer")!.progress.fraction).toBe(1);
    expect(byName.get("broken-deposit:transfer")!.status).toBe("rejected");
    const running = byName.get("gamma-in-progress:transfer")!;
    expect(running.status).toBe("running");
    expect(running.progress.currentJob).toBe("Assign checksums and file sizes to objects");
    expect(running.progress.fraction).toBeGreaterThan(0);
    expect(running.progress.fraction).toBeLessThan(1);
  });

  it("filters by status, searches by name, pages, and refuses bad parameters", async () => {
    const running = await call("/api/units?status=running");
    expect(running.json.units.map((u: { name: string }) => u.name)).toEqual(["gamma-in-progress"]);
    const search = await call("/api/units?search=BROKEN");
    expect(search.json.units.map((u: { id: string }) => u.id)).toEqual([seeded.failed]);
    const first = await call("/api/units?limit=2&offset=0");
    const second = await call("/api/units?limit=2&offset=2");
    expect(first.json.units).toHaveLength(2);
    expect(second.json.units).toHaveLength(2);
    expect(first.json.total).toBe(4);
    const ids = [...first.json.units, ...second.json.units].map((u: { id: string }) => u.id);
    expect(new Set(ids).size).toBe(4);
    expect((await call("/api/units?status=exploded")).status).toBe(400);
    expect((await call("/api/units?limit=0")).status).toBe(400);
    expect((await call("/api/units?offset=-1")).status).toBe(400);
  });

  it("shows one unit with its SIP, the SIP's AIP and its decisions", async () => {
    const res = await call(`/api/units/${seeded.completed}`);
    expect(res.json.unit.name).toBe("alpha-records");
    expect(res.json.children.map((c: { id: string }) => c.id)).toEqual([seeded.completedSip]);
    expect(res.json.aip.location).toBe(aipFile);
    const running = await call(`/api/units/${seeded.running}`);
    expect(running.json.decisions).toMatchObject([{ key: "normalize", pending: true }]);
  });

  it("shows a unit's scans with the test signatures only as not performed with real signatures", async () => {
    const before = await call(`/api/units/${seeded.failed}`);
    expect(before.json.virusChecks).toEqual({
      files: 0,
      withRealSignatures: 0,
      testSignaturesOnly: 0,
      performedWithRealSignatures: true,
    });
    const scan = (outcome: "success" | "warning", outcomeDetail: string) => ({
      id: randomUUID(),
      unitId: seeded.failed,
      fileId: randomUUID(),
      taskId: null,
      type: "virus check",
      dateTime: new Date(),
      detail: 'program="clamscan"',
      outcome,
      outcomeDetail,
      agents: [],
    });
    await store.insertEvents([
      scan("warning", "not performed with real signatures: only the stepmatica test signatures were loaded"),
      scan("warning", "not performed with real signatures: only the stepmatica test signatures were loaded"),
      scan("success", "clean"),
    ]);
    const after = await call(`/api/units/${seeded.failed}`);
    expect(after.json.virusChecks).toEqual({
      files: 3,
      withRealSignatures: 1,
      testSignaturesOnly: 2,
      performedWithRealSignatures: false,
    });
  });

  it("answers 304 to a poller whose ETag is current, and 200 once something changed", async () => {
    const first = await call(`/api/units/${seeded.running}/jobs`);
    const etag = first.headers.etag!;
    expect(etag).toBeTruthy();
    const again = await call(`/api/units/${seeded.running}/jobs`, { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
    expect(again.body).toBe("");
    await addJob(store, seeded.running, {
      name: "generate_transfer_mets",
      microservice: "Generate METS.xml document",
      description: "Generate the transfer METS",
      module: "generate-mets",
      tasks: [{ exitCode: 0 }],
    });
    const changed = await call(`/api/units/${seeded.running}/jobs`, { headers: { "if-none-match": etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
  });
});

describe("dashboard API: jobs and tasks", () => {
  it("groups a unit's jobs into microservices with task counts, without the tasks", async () => {
    const res = await call(`/api/units/${seeded.failed}/jobs`);
    expect(res.json.microservices.map((m: { microservice: string }) => m.microservice)).toEqual([
      "Approve transfer",
      "Verify transfer compliance",
    ]);
    const verify = res.json.microservices[1].jobs[0];
    expect(verify).toMatchObject({ status: "failed", exitCode: 1, taskCount: 1, tasksFailed: 1 });
    expect(verify.tasks).toBeUndefined();
  });

  it("pages a job's tasks, failed first, with command, arguments, output, exit code, start and duration", async () => {
    const { jobId } = await addJob(store, seeded.failed, {
      name: "mixed",
      microservice: "Mixed",
      description: "Some tasks fail",
      module: "assign-checksums",
      tasks: [{ exitCode: 0 }, { exitCode: 0 }, { exitCode: 2, stderr: "bad batch" }, { exitCode: 0 }],
    });
    const page = await call(`/api/jobs/${jobId}/tasks?limit=2`);
    expect(page.json.total).toBe(4);
    expect(page.json.tasks.map((t: { seq: number }) => t.seq)).toEqual([2, 0]);
    expect(page.json.tasks[0]).toMatchObject({
      command: "assign-checksums",
      exitCode: 2,
      stderr: "bad batch",
    });
    expect(page.json.tasks[1].arguments).toEqual(["--unit"]);
    expect(typeof page.json.tasks[0].startedAt).toBe("string");
    expect(page.json.tasks[0].durationMs).toBeGreaterThanOrEqual(0);
    const rest = await call(`/api/jobs/${jobId}/tasks?limit=2&offset=2`);
    expect(rest.json.tasks.map((t: { seq: number }) => t.seq)).toEqual([1, 3]);
    const failedOnly = await call(`/api/jobs/${jobId}/tasks?failed=true`);
    expect(failedOnly.json.tasks.map((t: { seq: number }) => t.seq)).toEqual([2]);
  });

  it("cuts long output in lists and gives all of it for one task", async () => {
    const long = "x".repeat(OUTPUT_PREVIEW + 500);
    const { jobId, taskIds } = await addJob(store, seeded.failed, {
      name: "chatty",
      microservice: "Chatty",
      description: "Writes a lot",
      module: "stage-transfer",
      tasks: [{ exitCode: 0, stdout: long }],
    });
    const page = await call(`/api/jobs/${jobId}/tasks`);
    expect(page.json.tasks[0].stdout).toHaveLength(OUTPUT_PREVIEW);
    expect(page.json.tasks[0].stdoutTruncated).toBe(true);
    const task = await call(`/api/tasks/${taskIds[0]}`);
    expect(task.json.stdout).toBe(long);
  });

  it("returns a task's stdout holding HTML as the same text (the page renders it as text)", async () => {
    const task = await call(`/api/tasks/${seeded.hostileTask}`);
    expect(task.json.stdout).toBe(HOSTILE_STDOUT);
    expect(task.headers["content-type"]).toContain("application/json");
    expect(task.headers["x-content-type-options"]).toBe("nosniff");
  });

  it("lists a unit's failed tasks with their jobs and stderr", async () => {
    const res = await call(`/api/units/${seeded.failed}/failed-tasks`);
    const failing = res.json.tasks.find((t: { id: string }) => t.id === seeded.failingTask);
    expect(failing).toMatchObject({ exitCode: 1, stderr: FAILING_STDERR });
    expect(failing.job.description).toBe("Verify the transfer's structure");
    expect((await call(`/api/units/${seeded.completed}/failed-tasks`)).json.tasks).toEqual([]);
  });
});

describe("dashboard API: files, events, AIP", () => {
  it("pages files with identification and checksums, and PREMIS events", async () => {
    const files = await call(`/api/units/${seeded.completedSip}/files?limit=1`);
    expect(files.json.total).toBe(2);
    expect(files.json.files[0]).toMatchObject({
      path: "objects/file-0.txt",
      puid: "x-fmt/111",
      mime: "text/plain",
      sha256: "0".repeat(64),
    });
    const events = await call(`/api/units/${seeded.completedSip}/events`);
    expect(events.json.events.map((e: { type: string }) => e.type)).toEqual([
      "message digest calculation",
      "message digest calculation",
    ]);
    const ofFile = await call(`/api/units/${seeded.completedSip}/events?fileId=${files.json.files[0].id}`);
    expect(ofFile.json.total).toBe(1);
  });

  it("gives the AIP's location and a download of the stored file", async () => {
    const aip = await call(`/api/units/${seeded.completedSip}/aip`);
    expect(aip.json.aip.location).toBe(aipFile);
    expect(aip.json.download).toMatchObject({
      kind: "file",
      url: `/api/units/${seeded.completedSip}/aip/download`,
    });
    const download = await call(aip.json.download.url);
    expect(download.status).toBe(200);
    expect(download.file).toMatchObject({ path: aipFile, size: 19, name: "alpha-records.7z" });
    expect(download.headers["content-disposition"]).toContain("alpha-records.7z");
    expect((await call(`/api/units/${seeded.running}/aip`)).status).toBe(404);
  });
});

describe("dashboard API: decisions, hiding, transfers", () => {
  it("lists pending decisions and records an operator's answer once, if it is a choice", async () => {
    const pending = await call("/api/decisions");
    expect(pending.json.decisions.map((d: { id: string }) => d.id)).toEqual([seeded.decision]);
    const wrong = await call(`/api/decisions/${seeded.decision}`, {
      method: "POST",
      body: { answer: "sometimes" },
      identity: OPERATOR,
    });
    expect(wrong.status).toBe(422);
    const ok = await call(`/api/decisions/${seeded.decision}`, {
      method: "POST",
      body: { answer: "none" },
      identity: OPERATOR,
    });
    expect(ok.json).toMatchObject({ answer: "none", answeredBy: "olivia", pending: false });
    const twice = await call(`/api/decisions/${seeded.decision}`, {
      method: "POST",
      body: { answer: "preservation" },
      identity: OPERATOR,
    });
    expect(twice.status).toBe(409);
    expect((await call("/api/decisions")).json.decisions).toEqual([]);
  });

  it("hides finished units from the lists, keeps them retrievable, and refuses to hide a running one", async () => {
    const running = await call(`/api/units/${seeded.running}/hide`, {
      method: "POST",
      body: {},
      identity: OPERATOR,
    });
    expect(running.status).toBe(409);
    const hide = await call(`/api/units/${seeded.failed}/hide`, {
      method: "POST",
      body: {},
      identity: OPERATOR,
    });
    expect(hide.json).toEqual({ id: seeded.failed, hidden: true });
    const listed = (await call("/api/units")).json.units.map((u: { id: string }) => u.id);
    expect(listed).not.toContain(seeded.failed);
    const all = (await call("/api/units?includeHidden=true")).json.units.map((u: { id: string }) => u.id);
    expect(all).toContain(seeded.failed);
    expect((await call(`/api/units/${seeded.failed}`)).json.unit.hidden).toBe(true);
    await call(`/api/units/${seeded.failed}/hide`, {
      method: "POST",
      body: { hidden: false },
      identity: OPERATOR,
    });

    const cleared = await call("/api/units/clear", {
      method: "POST",
      body: { before: new Date(Date.now() + 60_000).toISOString() },
      identity: OPERATOR,
    });
    expect(cleared.json.ids.sort()).toEqual([seeded.completed, seeded.completedSip, seeded.failed].sort());
    expect((await call("/api/units")).json.units.map((u: { id: string }) => u.id)).toEqual([seeded.running]);
    expect(await store.getAip(seeded.completedSip)).not.toBeNull();
  });

  it("starts transfers by presigned upload when that is the intake, and says so for a path", async () => {
    const upload = await call("/api/transfers/uploads", {
      method: "POST",
      body: { filename: "deposit.zip" },
      identity: OPERATOR,
    });
    expect(upload.json).toMatchObject({ method: "PUT", key: "transfers/deposit.zip" });
    expect(upload.json.url).toContain("/transfer-bucket/transfers/deposit.zip?");
    expect(upload.json.url).toContain("X-Amz-Signature=");
    const traversal = await call("/api/transfers/uploads", {
      method: "POST",
      body: { filename: "../etc/passwd" },
      identity: OPERATOR,
    });
    expect(traversal.status).toBe(400);
    const byPath = await call("/api/transfers", {
      method: "POST",
      body: { path: "/tmp" },
      identity: OPERATOR,
    });
    expect(byPath.status).toBe(400);
    expect(byPath.json.error).toContain("upload");
    const notJson = await handle({
      method: "POST",
      path: "/api/transfers/uploads",
      query: {},
      headers: {},
      body: "{not json",
      identity: OPERATOR,
    });
    expect(notJson.status).toBe(400);
  });
});
