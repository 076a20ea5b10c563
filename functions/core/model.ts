/**
 * Domain records shared by the store, the dispatcher, the task runner and the CLI.
 * Names follow Archivematica: a unit (transfer or SIP) runs jobs; a job runs tasks.
 */

export type UnitType = "transfer" | "sip";
export type UnitStatus = "queued" | "running" | "awaiting-decision" | "completed" | "failed" | "rejected";
export type JobStatus = "running" | "completed" | "failed";
export type TaskStatus = "queued" | "running" | "done";
export type QueueName = "light" | "heavy";

export interface UnitRecord {
  id: string;
  type: UnitType;
  name: string;
  status: UnitStatus;
  /** Where the depositor's material came from (a path or an S3 URL). */
  source: string;
  /** This unit's folder on working storage, relative to the working root (EFS mount or STEPMATICA_HOME/work). */
  workingPath: string;
  /** The processing configuration, resolved (every key present). */
  config: Record<string, unknown>;
  /** Run options that are not processing decisions. */
  options: UnitOptions;
  parentId: string | null;
  reason: string | null;
  createdAt: Date;
  updatedAt: Date;
  heartbeatAt: Date | null;
  hidden: boolean;
}

export interface UnitOptions {
  /** When set, every time written into the AIP is this (SOURCE_DATE_EPOCH, seconds): reproducible AIPs. */
  sourceDateEpoch?: number;
  /** A catalogue reference carried into bag-info (External-Identifier) and the METS. */
  externalIdentifier?: string;
  /** What the transfer's processingMCP.xml answered, and what it asked that has no equivalent here. */
  processingMcp?: ProcessingMcpReport;
}

/** Archivematica's per-transfer processing configuration, as it was applied to a transfer. */
export interface ProcessingMcpReport {
  /** Where it was read: "processingMCP.xml", or "<package>: <entry>". */
  source: string;
  /** The configuration settings it gave (KEY=VALUE); the starter's own settings may override them. */
  applied: string[];
  /** One line per choice not applied: the decision point and why. */
  notApplied: string[];
  /** An empty <preconfiguredChoices/>: every decision point waits for an operator. */
  askEverything: boolean;
}

export interface JobRecord {
  id: string;
  unitId: string;
  executionId: string;
  /** The job's key in the workflow declaration, e.g. "assign-uuids-and-checksums". */
  name: string;
  microservice: string;
  description: string;
  /** When the state machine entered the job's state: with executionId and name it identifies one run of the job. */
  enteredAt: string;
  status: JobStatus;
  exitCode: number | null;
  taskToken: string | null;
  taskCount: number;
  createdAt: Date;
  endedAt: Date | null;
}

export interface TaskRecord {
  id: string;
  jobId: string;
  seq: number;
  module: string;
  queue: QueueName;
  arguments: string[];
  /** Files this task covers (per-file jobs), in path order; empty for a unit task. */
  fileIds: string[];
  status: TaskStatus;
  attempt: number;
  leaseExpires: Date | null;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  startedAt: Date | null;
  endedAt: Date | null;
  /** CPU seconds of the worker's process tree while the task ran, tools included (null: not recorded). */
  cpuS: number | null;
  /** Peak resident memory of the worker's process tree while the task ran, MB (null: not recorded). */
  peakRssMb: number | null;
}

export type FileGroup =
  | "original"
  | "preservation"
  | "access"
  | "metadata"
  | "submissionDocumentation"
  | "license";

export interface FileRecord {
  id: string;
  unitId: string;
  /** Current path relative to the unit's working folder, POSIX separators, e.g. "objects/a/b.txt". */
  path: string;
  /** Path as the depositor named it (before any filename change), relative to the transfer root. */
  originalPath: string;
  size: number;
  sha256: string | null;
  group: FileGroup;
  puid: string | null;
  formatName: string | null;
  formatVersion: string | null;
  mime: string | null;
  /** For derivatives: the source file's id. */
  derivedFrom: string | null;
  removed: boolean;
  createdAt: Date;
  /** Tool output per characterization tool, kept for the METS objectCharacteristicsExtension. */
  characteristics: Record<string, unknown> | null;
}

/** A unit record given what and where it is: running, no parent, no reason, created now. */
export function newUnitRecord(
  fields: Pick<UnitRecord, "id" | "type" | "name" | "source" | "workingPath" | "config"> &
    Partial<UnitRecord>,
): UnitRecord {
  const now = new Date();
  return {
    status: "running",
    options: {},
    parentId: null,
    reason: null,
    createdAt: now,
    updatedAt: now,
    heartbeatAt: null,
    hidden: false,
    ...fields,
  };
}

/** A file record with nothing known yet beyond where it is: no checksum, format or derivation. */
export function newFileRecord(
  fields: Pick<FileRecord, "id" | "unitId" | "path" | "originalPath" | "size"> & Partial<FileRecord>,
): FileRecord {
  return {
    sha256: null,
    group: "original",
    puid: null,
    formatName: null,
    formatVersion: null,
    mime: null,
    derivedFrom: null,
    removed: false,
    createdAt: new Date(),
    characteristics: null,
    ...fields,
  };
}

export type EventOutcome = "success" | "failure" | "warning";

/** A PREMIS event, as recorded in the store and written into the METS. */
export interface EventRecord {
  id: string;
  unitId: string;
  fileId: string | null;
  taskId: string | null;
  /** PREMIS event type, e.g. "message digest calculation". */
  type: string;
  dateTime: Date;
  detail: string;
  outcome: EventOutcome;
  outcomeDetail: string;
  /** Agent ids (see AgentRecord). */
  agents: string[];
}

export interface AgentRecord {
  id: string;
  type: "organization" | "software" | "person";
  name: string;
  /** The agent's identifier type, as PREMIS has it, e.g. "preservation system", "repository code". */
  identifierType: string;
  identifierValue: string;
}

export interface AipRecord {
  id: string;
  unitId: string;
  /** ObjectStore key, e.g. "example-3f2a….7z" or a folder key. */
  location: string;
  sha256: string | null;
  size: number;
  verifiedAt: Date | null;
  createdAt: Date;
}
