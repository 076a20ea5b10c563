import type {
  AgentRecord,
  AipRecord,
  EventRecord,
  FileRecord,
  JobRecord,
  TaskRecord,
  UnitRecord,
} from "../model.ts";

/** Row → record mappers. Drivers differ (Date or string, number or string for bigint, json or text). */
type Row = Record<string, unknown>;

export const toDate = (v: unknown): Date => (v instanceof Date ? v : new Date(String(v)));
export const toDateOrNull = (v: unknown): Date | null => (v === null || v === undefined ? null : toDate(v));
/** A json/jsonb column: drivers hand it back parsed (pg, PGlite) or as text (the Data API). */
export const toJson = <T>(v: unknown): T => (typeof v === "string" ? (JSON.parse(v) as T) : (v as T));
const toNumOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const str = (v: unknown): string => String(v);
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

export function unitFromRow(r: Row): UnitRecord {
  return {
    id: str(r.id),
    type: r.type as UnitRecord["type"],
    name: str(r.name),
    status: r.status as UnitRecord["status"],
    source: str(r.source),
    workingPath: str(r.working_path),
    config: toJson(r.config),
    options: toJson(r.options),
    parentId: strOrNull(r.parent_id),
    reason: strOrNull(r.reason),
    createdAt: toDate(r.created_at),
    updatedAt: toDate(r.updated_at),
    heartbeatAt: toDateOrNull(r.heartbeat_at),
    hidden: Boolean(r.hidden),
  };
}

export function jobFromRow(r: Row): JobRecord {
  return {
    id: str(r.id),
    unitId: str(r.unit_id),
    executionId: str(r.execution_id),
    name: str(r.name),
    microservice: str(r.microservice),
    description: str(r.description),
    enteredAt: str(r.entered_at),
    status: r.status as JobRecord["status"],
    exitCode: toNumOrNull(r.exit_code),
    taskToken: strOrNull(r.task_token),
    taskCount: Number(r.task_count),
    createdAt: toDate(r.created_at),
    endedAt: toDateOrNull(r.ended_at),
  };
}

export function taskFromRow(r: Row): TaskRecord {
  return {
    id: str(r.id),
    jobId: str(r.job_id),
    seq: Number(r.seq),
    module: str(r.module),
    queue: r.queue as TaskRecord["queue"],
    arguments: toJson(r.arguments),
    fileIds: toJson(r.file_ids),
    status: r.status as TaskRecord["status"],
    attempt: Number(r.attempt),
    leaseExpires: toDateOrNull(r.lease_expires),
    exitCode: toNumOrNull(r.exit_code),
    stdout: str(r.stdout ?? ""),
    stderr: str(r.stderr ?? ""),
    startedAt: toDateOrNull(r.started_at),
    endedAt: toDateOrNull(r.ended_at),
    cpuS: toNumOrNull(r.cpu_s),
    peakRssMb: toNumOrNull(r.peak_rss_mb),
  };
}

/** Tool output is most of a file's row: a caller that needs the rest alone leaves it in the table. */
export const COLUMNS_BUT_CHARACTERISTICS =
  "id, unit_id, path, original_path, size, sha256, file_group, puid, format_name, format_version, mime, derived_from, removed, created_at, null::jsonb as characteristics";

export function fileFromRow(r: Row): FileRecord {
  return {
    id: str(r.id),
    unitId: str(r.unit_id),
    path: str(r.path),
    originalPath: str(r.original_path),
    size: Number(r.size),
    sha256: strOrNull(r.sha256),
    group: r.file_group as FileRecord["group"],
    puid: strOrNull(r.puid),
    formatName: strOrNull(r.format_name),
    formatVersion: strOrNull(r.format_version),
    mime: strOrNull(r.mime),
    derivedFrom: strOrNull(r.derived_from),
    removed: Boolean(r.removed),
    createdAt: toDate(r.created_at),
    characteristics:
      r.characteristics === null || r.characteristics === undefined ? null : toJson(r.characteristics),
  };
}

export function eventFromRow(r: Row): EventRecord {
  return {
    id: str(r.id),
    unitId: str(r.unit_id),
    fileId: strOrNull(r.file_id),
    taskId: strOrNull(r.task_id),
    type: str(r.type),
    dateTime: toDate(r.date_time),
    detail: str(r.detail),
    outcome: r.outcome as EventRecord["outcome"],
    outcomeDetail: str(r.outcome_detail),
    agents: toJson(r.agents),
  };
}

export function agentFromRow(r: Row): AgentRecord {
  return {
    id: str(r.id),
    type: r.type as AgentRecord["type"],
    name: str(r.name),
    identifierType: str(r.identifier_type),
    identifierValue: str(r.identifier_value),
  };
}

export function aipFromRow(r: Row): AipRecord {
  return {
    id: str(r.id),
    unitId: str(r.unit_id),
    location: str(r.location),
    sha256: strOrNull(r.sha256),
    size: Number(r.size),
    verifiedAt: toDateOrNull(r.verified_at),
    createdAt: toDate(r.created_at),
  };
}

/** Record → JSON row for bulk writes through jsonb_to_recordset (one parameter, any row count). */
export function fileToJson(f: FileRecord): Row {
  return {
    id: f.id,
    unit_id: f.unitId,
    path: f.path,
    original_path: f.originalPath,
    size: f.size,
    sha256: f.sha256,
    file_group: f.group,
    puid: f.puid,
    format_name: f.formatName,
    format_version: f.formatVersion,
    mime: f.mime,
    derived_from: f.derivedFrom,
    removed: f.removed,
    created_at: f.createdAt.toISOString(),
    characteristics: f.characteristics,
  };
}

export function eventToJson(e: EventRecord): Row {
  return {
    id: e.id,
    unit_id: e.unitId,
    file_id: e.fileId,
    task_id: e.taskId,
    type: e.type,
    date_time: e.dateTime.toISOString(),
    detail: e.detail,
    outcome: e.outcome,
    outcome_detail: e.outcomeDetail,
    agents: e.agents,
  };
}
