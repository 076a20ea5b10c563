import type { ProcessingConfig } from "../../workflows/processing-config.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import type {
  AgentRecord,
  AipRecord,
  EventRecord,
  FileGroup,
  FileRecord,
  JobRecord,
  TaskRecord,
  UnitOptions,
  UnitRecord,
  UnitStatus,
} from "./model.ts";

/** Identifiers: random, or (with --deterministic) derived from the run id and a name. */
export interface IdSource {
  /** A UUID for the thing called `name` in this run (same name → same id when deterministic). */
  uuid(name: string): string;
}

/** Times written into the AIP (SOURCE_DATE_EPOCH when deterministic). Database times stay real. */
export interface Clock {
  now(): Date;
}

export interface FilePageOptions {
  includeRemoved?: boolean;
  pageSize?: number;
  withoutCharacteristics?: boolean;
  /** Only files whose path starts with this (e.g. "objects/manualNormalization/"). */
  pathPrefix?: string;
  /** Only files with no checksum recorded. */
  withoutChecksum?: boolean;
}

/** Read access to the store that a task module may use (writes go through its TaskOutcome). */
export interface StoreReader {
  getUnit(id: string): Promise<UnitRecord | null>;
  // No whole-unit lists here (issue 16): a task reads a unit's files a page at a time, so that a
  // 200,000-file transfer is never held in memory at once. Ask for files by id or path a page at most.
  /** A unit's files a page at a time (at most PAGE_ROWS, 2,000), by path then id (see TaskStore.filePages). */
  filePages(unitId: string, options?: FilePageOptions): AsyncIterable<FileRecord[]>;
  /** How many files a unit holds (removed ones only when asked). */
  countFiles(unitId: string, options?: { includeRemoved?: boolean }): Promise<number>;
  /** The unit's files at these paths (pass a page of paths at most), by path then id. */
  filesAtPaths(
    unitId: string,
    paths: string[],
    options?: { includeRemoved?: boolean; withoutCharacteristics?: boolean },
  ): Promise<FileRecord[]>;
  getFiles(ids: string[], options?: { withoutCharacteristics?: boolean }): Promise<FileRecord[]>;
  // What the METS reads (issue 16): pages of file outlines (no characteristics) in the orders the
  // document needs, and lookups of the few ids and paths a page or the depositor's metadata names.
  /**
   * At most `limit` (a page) files of the scope after `after`, by path then id in code points, with
   * their ranks among all the scope's files (removed too); `only` narrows the page, not the ranks.
   */
  rankedFilePage(
    unitId: string,
    scope: MetsFileScope,
    query: { only?: { group: FileGroup } | "removed"; after: RankedFile | null; limit: number },
  ): Promise<RankedFile[]>;
  /** At most `limit` present files of the scope after `after`: paths compared segment by segment, then id. */
  treeFilePage(
    unitId: string,
    scope: MetsFileScope,
    query: { after: FileKey | null; limit: number },
  ): Promise<FileRecord[]>;
  /** The scope's files derived from these (a page of ids), by path then id in code points. */
  derivativesOf(unitId: string, scope: MetsFileScope, sourceIds: string[]): Promise<FileRecord[]>;
  /** Those of `paths` (a page) under which a present file of the scope lies. */
  foldersAmong(unitId: string, scope: MetsFileScope, paths: string[]): Promise<string[]>;
  /**
   * The originals a page of names from a transfer's metadata files may mean (names relative to
   * objects/, see transfer-metadata/targets.ts), by path then id as filePages.
   */
  originalsNamedBy(unitId: string, names: string[]): Promise<FileRecord[]>;
  eventsOfFiles(fileIds: string[], unitIds: string[]): Promise<EventRecord[]>;
  unitLevelEvents(unitId: string): Promise<EventRecord[]>;
  /** A unit's events of one type (e.g. "unpacking"), by time then id. */
  eventsOfType(unitId: string, type: string): Promise<EventRecord[]>;
  listAgents(): Promise<AgentRecord[]>;
  listJobs(unitId: string): Promise<JobRecord[]>;
  listTasks(jobId: string): Promise<TaskRecord[]>;
}

/** Where a keyset page of files starts: after this file. */
export interface FileKey {
  path: string;
  id: string;
}

/** A file and its rank: its place (from 0) among the files of a scope by path then id in code points. */
export interface RankedFile {
  file: FileRecord;
  rank: number;
}

/** The files of a unit a METS describes: all but these groups' (an AIP's METS leaves out access copies). */
export interface MetsFileScope {
  exceptGroups: FileGroup[];
}

export interface TaskContext {
  unit: UnitRecord;
  job: JobRecord;
  task: TaskRecord;
  /**
   * The batch's files for a per-file task; empty for a unit task. Without their tool output
   * (`characteristics` is null: a batch's ExifTool output is megabytes no task needs again); read it
   * with store.getFiles when needed.
   */
  files: FileRecord[];
  /** Absolute path of the unit's folder on this machine's working storage. */
  unitPath: string;
  /** Absolute path of the working root (holds transfers/, sips/, aips/ …). */
  workRoot: string;
  config: ProcessingConfig;
  ids: IdSource;
  clock: Clock;
  store: StoreReader;
  objects: ObjectStore;
  /** Where DIPs are stored, when the runtime has a DIP store (else upload-dip uses objects under "dips/"). */
  dips?: ObjectStore;
  /** Where uploaded transfers are read from (the transfer bucket on AWS); null when sources are local paths. */
  transfers: ObjectStore | null;
  /** Aborted when the task's timeout passes: kill child processes and return. */
  signal: AbortSignal;
  /** Lines recorded as the task's stdout / stderr (shown in the dashboard). */
  stdout(line: string): void;
  stderr(line: string): void;
  /** Agents recorded with events: the organization, this software, the user. */
  agents: AgentRecord[];
}

/** Everything a task changes in the store, written in one transaction with the task's result. */
export interface TaskOutcome {
  exitCode: number;
  newFiles?: FileRecord[];
  fileUpdates?: Array<Partial<FileRecord> & { id: string }>;
  events?: EventRecord[];
  unitUpdate?: {
    status?: UnitStatus;
    reason?: string | null;
    name?: string;
    workingPath?: string;
    /** Merged into the unit's options (e.g. an External-Identifier found in a bag's bag-info.txt). */
    options?: UnitOptions;
  };
  /** Units this task created (the SIP made from a transfer). */
  newUnits?: UnitRecord[];
  /**
   * Every file of one unit handed to another in a single statement (written after newUnits), so a
   * 200,000-file transfer becomes its SIP without one update per file.
   */
  moveFiles?: FileMove;
  aip?: AipRecord;
  /** Values the workflow can branch on, merged into the job's result ($.jobs.<job>.output). */
  output?: Record<string, string | number | boolean>;
}

export interface FileMove {
  fromUnit: string;
  toUnit: string;
  /** A path that starts with `from` gets `to` instead of that prefix (e.g. "metadata/" → "objects/metadata/"). */
  rewritePrefix?: { from: string; to: string };
}

/** One command, as Archivematica's client scripts: written once, run locally and on AWS. */
export interface TaskModule {
  /** Stable name referenced by the workflow declaration, e.g. "assign-uuids-and-checksums". */
  name: string;
  /** What the dashboard shows as the task's command. */
  command: string;
  run(ctx: TaskContext): Promise<TaskOutcome>;
  /** Releases what the module keeps between tasks (a persistent tool process); called when the worker pool stops. */
  dispose?(): Promise<void>;
}
