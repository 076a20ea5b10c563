import { randomUUID } from "node:crypto";
import { mapLimit } from "../core/concurrency.ts";
import type { AgentRecord, AipRecord, EventRecord } from "../core/model.ts";
import { aipFromRow } from "../core/store/rows.ts";
import type { TaskStore } from "../core/store/task-store.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import type { SqlValue } from "../ports/sql.ts";
import { aipName, compressedExtension } from "../tasks/aip-layout.ts";
import { parseManifest, readText } from "./manifests.ts";

/** PREMIS event type of every audit (the store step's check after storing uses the same type). */
export const AUDIT_EVENT_TYPE = "fixity check";
export const AUDIT_PROGRAM = 'program="stepmatica audit"';
/** The metric the scheduled audit emits per run, and the mismatch alarm watches. */
export const FIXITY_FAILURES_METRIC = "AipFixityFailures";

export interface AuditOptions {
  /** Every AIP; otherwise at most `limit`, those audited longest ago (or never) first. */
  all?: boolean;
  limit?: number;
  /** Re-read every object even where the store keeps a checksum of its own. */
  rehash?: boolean;
  concurrency?: number;
  /** Audit this AIP only (a hand-off from the scheduled function, run by a heavy worker). */
  aipId?: string;
  /** Start no AIP after this moment (epoch ms): the scheduled function's time runs out. */
  startBefore?: number;
  /**
   * An AIP with more than `maxRehashBytes` to re-read is not audited here but handed off (to the
   * heavy queue): re-reading it could outlast the scheduled function.
   */
  handOff?: { maxRehashBytes: number; send(aip: AipRecord): Promise<void> };
}

export interface Mismatch {
  /** The object key, and the file's path inside the AIP (what a person looks for). */
  key: string;
  file: string;
  expected: string;
  found: string;
}

export interface AipAudit {
  aipId: string;
  unitId: string;
  name: string;
  location: string;
  /** "handed off": too much to re-read here; sent to a heavy worker and recorded by it. */
  outcome: "verified" | "failed" | "handed off";
  objects: number;
  /** How many objects were re-hashed, and how many compared by the store's own checksum. */
  rehashed: number;
  byStoredChecksum: number;
  mismatches: Mismatch[];
  /** Objects the manifests name that are not stored, or errors reading them. */
  problems: string[];
  auditedAt: Date;
}

export interface AuditDeps {
  store: TaskStore;
  /** The store an AIP lives in (one AIP store on AWS; locally the folder its location names). */
  objectsFor(aip: AipRecord): ObjectStore;
  agents: AgentRecord[];
  clock?: { now(): Date };
}

/**
 * Re-verifies stored AIPs against their own manifests (a folder AIP: every payload file against
 * manifest-sha256.txt, every tag file against tagmanifest-sha256.txt; a compressed AIP: its SHA-256
 * as recorded when stored), and records one PREMIS fixity-check event per AIP, success or failure.
 */
export async function auditAips(deps: AuditDeps, options: AuditOptions = {}): Promise<AipAudit[]> {
  const aips = options.aipId ? await aipById(deps.store, options.aipId) : await aipsDue(deps.store, options);
  const results: AipAudit[] = [];
  for (const aip of aips) {
    if (options.startBefore !== undefined && Date.now() >= options.startBefore) break;
    const result = await auditOne(deps, aip, options);
    if (result.outcome !== "handed off") await recordAudit(deps, result);
    results.push(result);
  }
  return results;
}

async function aipById(store: TaskStore, id: string): Promise<AipRecord[]> {
  const r = await store.sql.query("select * from aips where id = $1", [id]);
  if (r.rows.length === 0) throw new Error(`no stored AIP has the id ${id}`);
  return r.rows.map(aipFromRow);
}

/** The AIPs to audit now: those audited longest ago first, never-audited ones before all. */
async function aipsDue(store: TaskStore, options: AuditOptions): Promise<AipRecord[]> {
  const limit = options.all ? null : (options.limit ?? 50);
  const params: SqlValue[] = [AUDIT_EVENT_TYPE, `${AUDIT_PROGRAM}%`];
  if (limit !== null) params.push(limit);
  const r = await store.sql.query(
    `select a.* from aips a
     left join lateral (select max(e.date_time) as at from events e
       where e.unit_id = a.unit_id and e.type = $1 and e.detail like $2) last on true
     order by last.at asc nulls first, a.created_at asc, a.id
     ${limit === null ? "" : "limit $3"}`,
    params,
  );
  return r.rows.map(aipFromRow);
}

async function auditOne(deps: AuditDeps, aip: AipRecord, options: AuditOptions): Promise<AipAudit> {
  const unit = await deps.store.getUnit(aip.unitId);
  const name = unit ? aipName(unit) : aip.id;
  const result: AipAudit = {
    aipId: aip.id,
    unitId: aip.unitId,
    name,
    location: aip.location,
    outcome: "verified",
    objects: 0,
    rehashed: 0,
    byStoredChecksum: 0,
    mismatches: [],
    problems: [],
    auditedAt: (deps.clock ?? { now: () => new Date() }).now(),
  };
  try {
    if (!unit) throw new Error(`the AIP's unit ${aip.unitId} is not in the database`);
    const objects = deps.objectsFor(aip);
    const expected = await expectedDigests(objects, aip, name, unit.config.aip_compression);
    result.objects = expected.size;
    if (expected.size > 1) result.problems.push(...(await unlisted(objects, name, expected)));
    const stored = await storedDigests(objects, [...expected.keys()], options);
    if (options.handOff && (await bytesToRehash(objects, stored, options)) > options.handOff.maxRehashBytes) {
      await options.handOff.send(aip);
      result.outcome = "handed off";
      return result;
    }
    await mapLimit([...expected], options.concurrency ?? 8, async ([key, digest]) => {
      try {
        const own = stored.get(key);
        if (own) result.byStoredChecksum += 1;
        else result.rehashed += 1;
        const found = own ?? (await objects.sha256(key));
        if (found !== digest) {
          const file = key.startsWith(`${name}/`) ? key.slice(name.length + 1) : key;
          result.mismatches.push({ key, file, expected: digest, found });
        }
      } catch (error) {
        result.problems.push(`${key}: ${(error as Error).message}`);
      }
    });
  } catch (error) {
    result.problems.push((error as Error).message);
  }
  result.mismatches.sort((a, b) => a.key.localeCompare(b.key));
  result.problems.sort();
  if (result.mismatches.length > 0 || result.problems.length > 0) result.outcome = "failed";
  return result;
}

/** Object key -> SHA-256 it must have. */
async function expectedDigests(
  objects: ObjectStore,
  aip: AipRecord,
  name: string,
  compression: unknown,
): Promise<Map<string, string>> {
  const ext = compressedExtension(compression as Parameters<typeof compressedExtension>[0]);
  if (ext) {
    if (!aip.sha256) throw new Error(`no SHA-256 was recorded for the compressed AIP ${name}.${ext}`);
    return new Map([[`${name}.${ext}`, aip.sha256]]);
  }
  const manifest = parseManifest(
    await readText(await objects.openRead(`${name}/manifest-sha256.txt`)),
    `${name}/manifest-sha256.txt`,
  );
  const tags = parseManifest(
    await readText(await objects.openRead(`${name}/tagmanifest-sha256.txt`)),
    `${name}/tagmanifest-sha256.txt`,
  );
  const expected = new Map<string, string>();
  for (const [path, digest] of [...manifest, ...tags]) expected.set(`${name}/${path}`, digest);
  return expected;
}

/** Stored objects of a folder AIP that no manifest names (a tag manifest names itself in none). */
async function unlisted(
  objects: ObjectStore,
  name: string,
  expected: Map<string, string>,
): Promise<string[]> {
  const out: string[] = [];
  for await (const key of objects.list(`${name}/`)) {
    if (expected.has(key) || /\/tagmanifest-[a-z0-9]+\.txt$/.test(key)) continue;
    out.push(`${key.slice(name.length + 1)}: stored but in no manifest`);
  }
  return out;
}

/** Each object's SHA-256 as the store itself keeps it, or null where it must be re-read. */
async function storedDigests(
  objects: ObjectStore,
  keys: string[],
  options: AuditOptions,
): Promise<Map<string, string | null>> {
  const stored = new Map<string, string | null>();
  await mapLimit(keys, options.concurrency ?? 8, async (key) => {
    // An object that cannot be looked at is re-read, and that read names it among the problems.
    const own =
      !options.rehash && objects.storedSha256 ? await objects.storedSha256(key).catch(() => null) : null;
    stored.set(key, own);
  });
  return stored;
}

/** The bytes this audit would re-read: the objects whose store keeps no checksum of its own. */
async function bytesToRehash(
  objects: ObjectStore,
  stored: Map<string, string | null>,
  options: AuditOptions,
): Promise<number> {
  let total = 0;
  const toRead = [...stored].filter(([, digest]) => !digest).map(([key]) => key);
  await mapLimit(toRead, options.concurrency ?? 8, async (key) => {
    total += (await objects.head(key))?.size ?? 0;
  });
  return total;
}

async function recordAudit(deps: AuditDeps, r: AipAudit): Promise<void> {
  const method =
    r.byStoredChecksum === 0
      ? "re-hashed every object"
      : `${r.rehashed} re-hashed, ${r.byStoredChecksum} by the store's own SHA-256`;
  const failures = [
    ...r.mismatches.map((m) => `${m.file}: expected ${m.expected}, found ${m.found}`),
    ...r.problems,
  ];
  const event: EventRecord = {
    id: randomUUID(),
    unitId: r.unitId,
    fileId: null,
    taskId: null,
    type: AUDIT_EVENT_TYPE,
    dateTime: r.auditedAt,
    detail: `${AUDIT_PROGRAM}; ${r.objects} stored object(s) of ${r.location} against the bag's manifests; ${method}`,
    outcome: r.outcome === "verified" ? "success" : "failure",
    outcomeDetail:
      r.outcome === "verified"
        ? `${r.objects} object(s) match`
        : `${failures.length} failure(s): ${failures.slice(0, 20).join("; ")}`,
    agents: deps.agents.filter((a) => a.type !== "person").map((a) => a.id),
  };
  await deps.store.insertEvents([event]);
  if (r.outcome === "verified") {
    await deps.store.sql.query("update aips set verified_at = $1 where id = $2", [r.auditedAt, r.aipId]);
  }
}

/** The last audit of every AIP (the dashboard's and `audit --status`'s view). */
export async function lastAudits(store: TaskStore) {
  const r = await store.sql.query<Record<string, unknown>>(
    `select a.id as aip_id, a.unit_id, a.location, a.created_at, e.date_time, e.outcome, e.outcome_detail
     from aips a left join lateral (select * from events e where e.unit_id = a.unit_id and e.type = $1
       and e.detail like $2 order by e.date_time desc limit 1) e on true
     order by a.created_at desc`,
    [AUDIT_EVENT_TYPE, `${AUDIT_PROGRAM}%`],
  );
  return r.rows.map((row) => ({
    aipId: String(row.aip_id),
    unitId: String(row.unit_id),
    location: String(row.location),
    lastAuditAt: row.date_time ? new Date(row.date_time as string).toISOString() : null,
    outcome: (row.outcome as string | null) ?? null,
    detail: (row.outcome_detail as string | null) ?? null,
  }));
}

export interface LastAudit {
  at: string;
  outcome: string;
  detail: string;
}

/** The most recent audit of one unit's AIP, or null when it was never audited. */
export async function lastAuditOf(store: TaskStore, unitId: string): Promise<LastAudit | null> {
  const r = await store.sql.query<Record<string, unknown>>(
    `select date_time, outcome, outcome_detail from events where unit_id = $1 and type = $2 and detail like $3
     order by date_time desc limit 1`,
    [unitId, AUDIT_EVENT_TYPE, `${AUDIT_PROGRAM}%`],
  );
  const row = r.rows[0];
  return row
    ? {
        at: new Date(row.date_time as string).toISOString(),
        outcome: String(row.outcome),
        detail: String(row.outcome_detail),
      }
    : null;
}
