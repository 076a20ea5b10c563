import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { expect } from "vitest";
import { openHomeDatabase } from "../../functions/cli/home-database.ts";
import { TaskStore } from "../../functions/core/store/task-store.ts";
import { listTree } from "../e2e/aip-checks.ts";
import { type CliProcess, lastJson, spawnCli } from "../helpers/cli-process.ts";
import { processGone } from "./processes.ts";

/** Helpers for the tests of several stepmatica processes sharing one home (shared-home.test.ts). */

export const TOKEN = "shared-home-test-token-0123456789";
/** Owners stop soon after the last process leaves, so the test leaves nothing running for long. */
export const ENV = { STEPMATICA_DB_IDLE_SECONDS: "5", STEPMATICA_TOKEN: TOKEN };
export const RUN_ARGS = ["--config", "automated", "--set", "aip_compression=none", "--json"];

/** A small transfer of its own: `files` text files whose bytes name the transfer. */
export async function smallTransfer(root: string, name: string, files = 3): Promise<string> {
  const dir = path.join(root, "transfers", name);
  for (let i = 0; i < files; i++) {
    await mkdir(path.join(dir, `part-${i % 2}`), { recursive: true });
    await writeFile(
      path.join(dir, `part-${i % 2}`, `${name}-${i}.txt`),
      `${name} item ${i}\n${"z".repeat(i * 7)}\n`,
    );
  }
  return dir;
}

export function cliJson(args: string[], home: string): Promise<Record<string, unknown>> {
  return spawnCli([...args, "--json"], home, { env: ENV }).done.then((r) => {
    if (r.code !== 0) throw new Error(`stepmatica ${args.join(" ")}: exit ${r.code}\n${r.out}`);
    return lastJson(r.stdout) ?? {};
  });
}

/** `stepmatica serve --port 0` on the home; resolves with its origin once it printed its address. */
export async function startServe(home: string, out: string): Promise<{ proc: CliProcess; origin: string }> {
  const proc = spawnCli(["serve", "--port", "0", "--out", out], home, { env: ENV });
  const origin = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const match = /http:\/\/127\.0\.0\.1:\d+/.exec(proc.output());
      if (match) {
        clearInterval(timer);
        resolve(match[0]);
      }
    }, 100);
    proc.done.then((r) => {
      clearInterval(timer);
      reject(new Error(`serve stopped: exit ${r.code}\n${r.out}`));
    });
  });
  return { proc, origin };
}

export async function api<T = Record<string, unknown>>(origin: string, route: string): Promise<T> {
  const response = await fetch(`${origin}${route}`, { headers: { authorization: `Bearer ${TOKEN}` } });
  if (!response.ok) throw new Error(`${route}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

export interface UnitRow {
  id: string;
  type: string;
  name: string;
  status: string;
}

/**
 * The AIP's METS against the store: every PREMIS event in the METS is recorded for the SIP or its
 * transfer, with the same type and time, and every recorded event missing from the METS happened
 * after the METS was written (the AIP's own fixity check when it is stored).
 */
export async function expectMetsMatchesEvents(home: string, aipDir: string, sipId: string): Promise<number> {
  const data = path.join(aipDir, "data");
  const mets = (await readdir(data)).find((n) => n.startsWith("METS.") && n.endsWith(".xml"));
  expect(mets, `${aipDir}: no METS`).toBeDefined();
  const xml = await readFile(path.join(data, mets!), "utf8");
  const inMets = new Map<string, { type: string; dateTime: string }>();
  for (const m of xml.matchAll(
    /<premis:eventIdentifierValue>([^<]+)<\/premis:eventIdentifierValue>\s*<\/premis:eventIdentifier>\s*<premis:eventType>([^<]+)<\/premis:eventType>\s*<premis:eventDateTime>([^<]+)</g,
  ))
    inMets.set(m[1]!, { type: m[2]!, dateTime: m[3]! });
  expect(inMets.size, `${aipDir}: events in the METS`).toBeGreaterThan(0);

  const sql = await openHomeDatabase(home);
  try {
    const store = new TaskStore(sql);
    const sip = await store.getUnit(sipId);
    expect(sip?.parentId, `SIP ${sipId} recorded with its transfer`).toBeTruthy();
    const recorded = [...(await store.listEvents(sipId)), ...(await store.listEvents(sip!.parentId!))];
    const byId = new Map(recorded.map((e) => [e.id, e]));
    for (const [id, event] of inMets) {
      const stored = byId.get(id);
      expect(stored, `event ${id} (${event.type}) of the METS is recorded`).toBeDefined();
      expect({ type: stored!.type, dateTime: stored!.dateTime.toISOString() }).toEqual(event);
    }
    const metsWritten = await sql.query<{ at: Date }>(
      `select max(t.ended_at) as at from tasks t join jobs j on j.id = t.job_id
       where j.unit_id = $1 and t.module = 'generate-mets'`,
      [sipId],
    );
    const writtenAt = new Date(metsWritten.rows[0]!.at).getTime();
    for (const event of recorded.filter((e) => !inMets.has(e.id)))
      expect(
        event.dateTime.getTime(),
        `${event.type} ${event.id} missing from the METS`,
      ).toBeGreaterThanOrEqual(writtenAt - 1000);
    return inMets.size;
  } finally {
    await sql.close();
  }
}

/** Every file of an AIP folder and its SHA-256: what "unchanged" means for an AIP. */
export async function aipDigest(aipDir: string): Promise<Record<string, string>> {
  const digest: Record<string, string> = {};
  for (const rel of await listTree(aipDir))
    digest[rel] = createHash("sha256")
      .update(await readFile(path.join(aipDir, rel)))
      .digest("hex");
  return digest;
}

/** A unit's records as the store holds them: jobs, tasks (status, exit code), events, files. */
export async function unitRecords(home: string, unitIds: string[]): Promise<unknown> {
  const sql = await openHomeDatabase(home);
  try {
    const store = new TaskStore(sql);
    const out: Record<string, unknown> = {};
    for (const id of unitIds) {
      const unit = await store.getUnit(id);
      const jobs = await store.listJobs(id);
      const tasks = [];
      for (const job of jobs)
        for (const t of await store.listTasks(job.id))
          tasks.push([job.name, t.seq, t.status, t.exitCode, t.attempt, t.endedAt?.toISOString()]);
      out[id] = {
        status: unit?.status,
        updatedAt: unit?.updatedAt.toISOString(),
        jobs: jobs.map((j) => [j.name, j.status, j.exitCode, j.endedAt?.toISOString()]),
        tasks,
        events: (await store.listEvents(id)).map((e) => [e.id, e.type, e.dateTime.toISOString(), e.outcome]),
        files: (await store.listFiles(id)).map((f) => [f.id, f.path, f.sha256]),
      };
    }
    return out;
  } finally {
    await sql.close();
  }
}

/** Waits until the home has no database owner (it stops STEPMATICA_DB_IDLE_SECONDS after the last client). */
export async function waitForOwnerToStop(home: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await readFile(path.join(home, "db-owner.json"), "utf8").catch(() => null);
    const pid = text ? (JSON.parse(text) as { pid: number }).pid : null;
    if (pid === null || (await processGone(pid, 0))) return;
    if (Date.now() > deadline) throw new Error(`the owner ${pid} of ${home} did not stop`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
