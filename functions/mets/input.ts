/**
 * What buildMets takes, and the checks and indexes it needs before writing a byte: every problem in
 * the input is reported as a MetsInputError naming the record and the reason, never as a broken XML.
 */
import type { AgentRecord, EventRecord, FileGroup, FileRecord } from "../core/model.ts";
import { compareCodePoints } from "./characteristics.ts";
import type { ExtraIdentifier, LogicalStructMap } from "./logical.ts";
import type { RightsStatementInput } from "./rights.ts";
import { isIdSafe } from "./xml-writer.ts";

export interface MetsFileEntry {
  file: FileRecord;
  /** Path relative to the METS file's folder, POSIX separators, e.g. "objects/a.txt". */
  href: string;
}

export interface DublinCoreEntry {
  /** "objects" for the whole package, or a folder/file path under "objects/". */
  target: string;
  /** Dublin Core element name ("title" or "dc.title"; "dcterms.x" for a DC Terms element) -> values. */
  fields: Record<string, string[]>;
}

export interface MetsInput {
  kind: "transfer" | "aip";
  /** The SIP/AIP (or transfer) UUID. */
  objectId: string;
  /** Transfer name. */
  name: string;
  /** metsHdr CREATEDATE. */
  createdAt: Date;
  files: MetsFileEntry[];
  /** Per-file events have fileId; unit-level events have fileId null. */
  events: EventRecord[];
  agents: AgentRecord[];
  dublinCore?: DublinCoreEntry[];
  /** A catalogue reference (Wellcome's External-Identifier). */
  externalIdentifier?: string;
  /** What the transfer's metadata/ folder says beyond Dublin Core (rights, identifiers, structure). */
  archival?: ArchivalMetadata;
}

/** Archivematica's transfer metadata files, read: rights.csv, identifiers.json, labels, structMap. */
export interface ArchivalMetadata {
  rights?: RightsStatementInput[];
  /** Extra identifiers by target: "objects" (the package), a folder or a file path. */
  identifiers?: Array<{ target: string; identifiers: ExtraIdentifier[] }>;
  /** Labels for the physical structMap's divs, by path. */
  labels?: Array<{ target: string; label: string }>;
  logicalStructMap?: LogicalStructMap;
  /** Formats and (verified) checksums a depositor recorded for files (metadata/premis.xml). */
  characteristics?: DepositorCharacteristics[];
}

/** What a depositor's PREMIS object said about a file, beside what stepmatica found. */
export interface DepositorCharacteristics {
  /** The file's path under objects/. */
  target: string;
  formats: Array<{ name?: string; version?: string; registryName?: string; registryKey?: string }>;
  /** Checksums that matched the file when the transfer was verified. */
  fixity: Array<{ algorithm: string; digest: string }>;
  /** The metadata file they came from, named in a formatNote. */
  source: string;
}

export class MetsInputError extends Error {
  override readonly name = "MetsInputError";
  constructor(reason: string) {
    super(`buildMets: ${reason}`);
  }
}

export const FILE_GROUP_ORDER: readonly FileGroup[] = [
  "original",
  "preservation",
  "access",
  "submissionDocumentation",
  "metadata",
  "license",
];

/** What the document says about the package itself: everything but its files. */
export type MetsHeader = Omit<MetsInput, "files">;

/** An input held in memory, checked, sorted and indexed for writing (buildMets, writeMets). */
export interface PreparedMets {
  /** All files (removed ones too), by href then id. */
  files: MetsFileEntry[];
  fileById: Map<string, MetsFileEntry>;
  /** Events per file id, by dateTime then id. */
  eventsByFile: Map<string, EventRecord[]>;
}

export function prepareMets(input: MetsInput): PreparedMets {
  checkHeader(input);

  const files = [...input.files].sort(
    (a, b) => compareCodePoints(a.href, b.href) || compareCodePoints(a.file.id, b.file.id),
  );
  const fileById = new Map<string, MetsFileEntry>();
  const hrefs = new Set<string>();
  for (const entry of files) {
    checkFile(entry);
    if (fileById.has(entry.file.id)) throw new MetsInputError(`file id ${entry.file.id} appears twice`);
    if (!entry.file.removed && hrefs.has(entry.href)) {
      throw new MetsInputError(`two files have the href "${entry.href}"`);
    }
    fileById.set(entry.file.id, entry);
    if (!entry.file.removed) hrefs.add(entry.href);
  }

  const agentById = indexAgents(input.agents);
  const { eventsByFile } = indexEvents({ fileIds: fileById, agentById }, input.events);
  for (const entry of files) checkNotSelfDerived(entry);
  return { files, fileById, eventsByFile };
}

/** The checks of the package's own fields, made before anything else. */
export function checkHeader(header: MetsHeader): void {
  checkDate(header.createdAt, "createdAt");
  if (header.objectId.trim() === "") throw new MetsInputError("objectId is empty");
}

export function indexAgents(agents: readonly AgentRecord[]): Map<string, AgentRecord> {
  const agentById = new Map<string, AgentRecord>();
  for (const agent of agents) {
    if (agentById.has(agent.id)) throw new MetsInputError(`agent id ${agent.id} appears twice`);
    agentById.set(agent.id, agent);
  }
  return agentById;
}

/** The checks of one file that need no other file (a page's files are checked as they are written). */
export function checkEntry(entry: MetsFileEntry): void {
  checkFile(entry);
  checkNotSelfDerived(entry);
}

function checkNotSelfDerived({ file, href }: MetsFileEntry): void {
  if (file.derivedFrom === file.id) throw new MetsInputError(`file ${href} is derived from itself`);
}

/**
 * Checks events (their dates, agents and files) and sorts them by file: unit events apart, each
 * list by dateTime then id. `fileIds` are the files the events may be about.
 */
export function indexEvents(
  known: { fileIds: { has(id: string): boolean }; agentById: Map<string, AgentRecord> },
  events: readonly EventRecord[],
): { eventsByFile: Map<string, EventRecord[]>; unitEvents: EventRecord[] } {
  const eventsByFile = new Map<string, EventRecord[]>();
  const unitEvents: EventRecord[] = [];
  const eventIds = new Set<string>();
  for (const event of events) {
    checkDate(event.dateTime, `event ${event.id} (${event.type}) dateTime`);
    if (eventIds.has(event.id)) throw new MetsInputError(`event id ${event.id} appears twice`);
    eventIds.add(event.id);
    for (const agentId of event.agents) {
      if (!known.agentById.has(agentId)) {
        throw new MetsInputError(`event ${event.id} (${event.type}) names agent ${agentId}, not in agents`);
      }
    }
    if (event.fileId === null) {
      unitEvents.push(event);
      continue;
    }
    if (!known.fileIds.has(event.fileId)) {
      throw new MetsInputError(
        `event ${event.id} (${event.type}) is about file ${event.fileId}, not in files`,
      );
    }
    const list = eventsByFile.get(event.fileId);
    if (list) list.push(event);
    else eventsByFile.set(event.fileId, [event]);
  }
  unitEvents.sort(compareEvents);
  for (const list of eventsByFile.values()) list.sort(compareEvents);

  return { eventsByFile, unitEvents };
}

export function compareEvents(a: EventRecord, b: EventRecord): number {
  return a.dateTime.getTime() - b.dateTime.getTime() || compareCodePoints(a.id, b.id);
}

/**
 * The id of the original a file descends from (itself for an original): Archivematica's GROUPID.
 * `fileWithId` knows the file's ancestors among the METS's files.
 */
export function groupRootOf(fileWithId: (id: string) => FileRecord | undefined, file: FileRecord): string {
  let current = file;
  const visited = new Set<string>([current.id]);
  while (current.derivedFrom !== null) {
    const parent = fileWithId(current.derivedFrom);
    if (!parent) return current.derivedFrom;
    if (visited.has(parent.id)) {
      throw new MetsInputError(`file ${file.path} has a derivedFrom cycle`);
    }
    visited.add(parent.id);
    current = parent;
  }
  return current.id;
}

function checkDate(value: Date, what: string): void {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new MetsInputError(`${what} is not a valid date`);
  }
}

function checkFile({ file, href }: MetsFileEntry): void {
  const where = `file ${JSON.stringify(file.path)} (id ${file.id})`;
  if (!isIdSafe(file.id)) {
    throw new MetsInputError(`${where}: the id cannot form an xsd:ID (letters, digits, ".", "_", "-" only)`);
  }
  if (file.derivedFrom !== null && !isIdSafe(file.derivedFrom)) {
    throw new MetsInputError(`${where}: derivedFrom ${JSON.stringify(file.derivedFrom)} is not a valid id`);
  }
  if (!FILE_GROUP_ORDER.includes(file.group)) {
    throw new MetsInputError(`${where}: unknown file group ${JSON.stringify(file.group)}`);
  }
  if (!Number.isSafeInteger(file.size) || file.size < 0) {
    throw new MetsInputError(`${where}: size ${file.size} is not a non-negative integer`);
  }
  if (file.sha256 !== null && !/^[0-9a-f]{64}$/.test(file.sha256)) {
    throw new MetsInputError(`${where}: sha256 is not 64 lowercase hex digits`);
  }
  const segments = href.split("/");
  if (href.startsWith("/") || segments.some((s) => s === "" || s === "." || s === "..")) {
    throw new MetsInputError(
      `${where}: href ${JSON.stringify(href)} must be a relative POSIX path without "", "." or ".." segments`,
    );
  }
}
