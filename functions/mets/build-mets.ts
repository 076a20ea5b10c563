/**
 * METS 1.12.1 + PREMIS 3 for a transfer or an AIP, modelled on Archivematica's AIP METS.
 * Deterministic: everything comes from the input (no clock, no random ids), records are sorted,
 * ids are counters in document order, so the same input always gives the same bytes.
 */
import type { AgentRecord, EventRecord, FileRecord } from "../core/model.ts";
import { type PreparedArchival, prepareArchival } from "./archival.ts";
import { prepareDublinCore, writeDublinCore, writeOtherMetadata } from "./dublin-core.ts";
import {
  indexFileEvents,
  type MetsFileEntry,
  type MetsInput,
  MetsInputError,
  type PreparedMets,
  prepareMets,
} from "./input.ts";
import { writeLogicalStructMap } from "./logical.ts";
import {
  PREMIS_NS,
  PREMIS_SCHEMA_URL,
  type Relationship,
  writeAgent,
  writeEvent,
  writeFileObject,
  writeIntellectualEntity,
} from "./premis.ts";
import { writeRightsStatement } from "./rights.ts";
import { mdSec, writeHeader } from "./sections.ts";
import { buildTree, treePaths, writeFileSec, writeStructMap } from "./structure.ts";
import { XmlWriter } from "./xml-writer.ts";

export const METS_NS = "http://www.loc.gov/METS/";
export const METS_SCHEMA_URL = "http://www.loc.gov/standards/mets/version1121/mets.xsd";
export const XLINK_NS = "http://www.w3.org/1999/xlink";
export const XSI_NS = "http://www.w3.org/2001/XMLSchema-instance";

/** The whole document as one string. */
export function buildMets(input: MetsInput): string {
  const chunks: string[] = [];
  writeMets(input, (chunk) => chunks.push(chunk));
  return chunks.join("");
}

/**
 * Writes the document to `sink` in chunks of about 64 KiB (e.g. a file stream's write). The input is
 * fully checked before the first chunk, so a MetsInputError never leaves half a document behind.
 */
export function writeMets(input: MetsInput, sink: (chunk: string) => void): void {
  const plan = planMets(input, sink);
  writeOpening(plan);
  for (const entry of plan.prepared.files) writeFileAmdSec(plan, plan.prepared, entry);
  writeClosing(plan);
}

/**
 * The details of files that the paged writer reads a page at a time: their whole records (tool
 * output included) and their events (a SIP's events from its transfer too).
 */
export interface MetsPages {
  pageSize: number;
  recordsOf(fileIds: string[]): Promise<FileRecord[]>;
  eventsOf(fileIds: string[]): Promise<EventRecord[]>;
}

/**
 * writeMets for a unit too large to hold: `input.files` are the files' records without their
 * characteristics and `input.events` only the unit's own events (fileId null); each file's tool
 * output and events are read from `pages` for one page of files at a time, written, and let go.
 * The file sections come out in the same order, with the same bytes, as writeMets's. An error in a
 * page's records is thrown mid-document: the caller writes to a temporary file (writeFileStreamAtomic).
 */
export async function writeMetsPaged(
  input: MetsInput,
  pages: MetsPages,
  sink: (chunk: string) => void,
): Promise<void> {
  if (input.events.some((event) => event.fileId !== null))
    throw new MetsInputError("writeMetsPaged takes the unit's own events only; file events come from pages");
  const plan = planMets(input, sink);
  writeOpening(plan);
  const { files } = plan.prepared;
  for (let start = 0; start < files.length; start += pages.pageSize) {
    const page = files.slice(start, start + pages.pageSize);
    // A relationship names the normalization event of a source or derivative that may sit on another page.
    const wanted = new Set<string>();
    for (const { file } of page) {
      wanted.add(file.id);
      if (file.derivedFrom !== null && plan.prepared.fileById.has(file.derivedFrom))
        wanted.add(file.derivedFrom);
      for (const d of plan.prepared.derivativesBySource.get(file.id) ?? []) wanted.add(d.file.id);
    }
    const [records, events] = await Promise.all([
      pages.recordsOf(page.map((e) => e.file.id)),
      pages.eventsOf([...wanted]),
    ]);
    const recordById = new Map(records.map((r) => [r.id, r]));
    const eventsByFile = indexFileEvents(plan.prepared, events);
    const onPage = { ...plan.prepared, eventsByFile };
    for (const entry of page) {
      const record = recordById.get(entry.file.id);
      if (!record) throw new MetsInputError(`file ${entry.file.path} (id ${entry.file.id}) has no record`);
      writeFileAmdSec(plan, onPage, { file: record, href: entry.href });
    }
  }
  writeClosing(plan);
}

interface MetsPlan {
  input: MetsInput;
  prepared: PreparedMets;
  w: XmlWriter;
  packageLabel: string;
  tree: ReturnType<typeof buildTree>;
  dmdIdsOf: Map<string, string[]>;
  archival: ReturnType<typeof prepareArchival>;
  descriptive: Array<{
    id: string;
    kind: "DC" | "OTHER";
    section: ReturnType<typeof prepareDublinCore>[number];
  }>;
  folderEntities: Array<{
    id: string;
    target: string;
    identifiers: ReturnType<PreparedArchival["identifiersOf"]>;
  }>;
  packageAmdSecId: string | undefined;
  amdSecIdOf: Map<string, string>;
  counters: { techMD: number; rightsMD: number; digiprovMD: number };
}

/** Checks the input and numbers every section, before a byte is written. */
function planMets(input: MetsInput, sink: (chunk: string) => void): MetsPlan {
  const prepared = prepareMets(input);
  const packageLabel = `${input.name}-${input.objectId}`;
  const tree = buildTree(prepared.files, packageLabel);
  const dublinCore = prepareDublinCore(input.dublinCore ?? [], input.externalIdentifier);
  const paths = treePaths(tree);

  // dmdSec_1 is the package (PREMIS intellectual entity); Dublin Core (and OTHER) sections follow.
  const dmdIdsOf = new Map<string, string[]>([["", ["dmdSec_1"]]]);
  const archival = prepareArchival(input, prepared, paths);
  const descriptive: Array<{ id: string; kind: "DC" | "OTHER"; section: (typeof dublinCore)[number] }> = [];
  for (const section of dublinCore) {
    if (!paths.has(section.target)) {
      throw new MetsInputError(`dublinCore target ${section.target} is not a folder or file in the package`);
    }
    const kinds = [
      ...(section.elements.length > 0 ? (["DC"] as const) : []),
      ...(section.other.length > 0 ? (["OTHER"] as const) : []),
    ];
    for (const kind of kinds) {
      const id = `dmdSec_${descriptive.length + 2}`;
      descriptive.push({ id, kind, section });
      dmdIdsOf.set(section.target, [...(dmdIdsOf.get(section.target) ?? []), id]);
    }
  }

  // Folders that metadata/identifiers.json names get a PREMIS intellectual entity of their own.
  const folderEntities = archival.folderIdentifiers.map(([target, identifiers], index) => {
    const id = `dmdSec_${descriptive.length + 2 + index}`;
    dmdIdsOf.set(target, [...(dmdIdsOf.get(target) ?? []), id]);
    return { id, target, identifiers };
  });

  const packageAmdSecId = prepared.unitEvents.length > 0 ? "amdSec_1" : undefined;
  const amdSecIdOf = new Map<string, string>();
  const firstFileAmdSec = packageAmdSecId ? 2 : 1;
  prepared.files.forEach(({ file }, index) => {
    amdSecIdOf.set(file.id, `amdSec_${index + firstFileAmdSec}`);
  });

  const w = new XmlWriter(sink);
  const counters = { techMD: 0, rightsMD: 0, digiprovMD: 0 };
  return {
    input,
    prepared,
    w,
    packageLabel,
    tree,
    dmdIdsOf,
    archival,
    descriptive,
    folderEntities,
    packageAmdSecId,
    amdSecIdOf,
    counters,
  };
}

/** Everything before the files' amdSecs: header, dmdSecs, the package's own amdSec. */
function writeOpening(plan: MetsPlan): void {
  const { input, prepared, w, packageLabel, archival, descriptive, folderEntities, counters } = plan;
  w.raw('<?xml version="1.0" encoding="UTF-8"?>');
  w.open("mets:mets", [
    ["xmlns:mets", METS_NS],
    ["xmlns:premis", PREMIS_NS],
    ["xmlns:xlink", XLINK_NS],
    ["xmlns:xsi", XSI_NS],
    ["xsi:schemaLocation", `${METS_NS} ${METS_SCHEMA_URL} ${PREMIS_NS} ${PREMIS_SCHEMA_URL}`],
    ["OBJID", input.objectId],
    ["TYPE", input.kind === "aip" ? "AIP" : "transfer"],
  ]);
  writeHeader(w, input);

  mdSec(w, "dmdSec", "dmdSec_1", "PREMIS:OBJECT", () =>
    writeIntellectualEntity(
      w,
      input.objectId,
      input.externalIdentifier,
      packageLabel,
      archival.identifiersOf("objects"),
    ),
  );
  for (const { id, kind, section } of descriptive) {
    if (kind === "DC") mdSec(w, "dmdSec", id, "DC", () => writeDublinCore(w, section));
    else mdSec(w, "dmdSec", id, ["OTHER", "CUSTOM"], () => writeOtherMetadata(w, section));
  }

  for (const { id, target, identifiers } of folderEntities) {
    mdSec(w, "dmdSec", id, "PREMIS:OBJECT", () =>
      writeIntellectualEntity(w, null, undefined, target, identifiers),
    );
  }

  if (plan.packageAmdSecId) {
    w.open("mets:amdSec", [["ID", plan.packageAmdSecId]]);
    writeProvenance(w, prepared, prepared.unitEvents, counters);
    w.close("mets:amdSec");
  }
}

/** One file's amdSec: its PREMIS object, rights and events (from `prepared.eventsByFile`). */
function writeFileAmdSec(plan: MetsPlan, prepared: PreparedMets, entry: MetsFileEntry): void {
  const { w, archival, counters } = plan;
  w.open("mets:amdSec", [["ID", plan.amdSecIdOf.get(entry.file.id)]]);
  counters.techMD++;
  mdSec(w, "techMD", `techMD_${counters.techMD}`, "PREMIS:OBJECT", () =>
    writeFileObject(
      w,
      entry.file,
      originalNameOf(entry.file),
      relationshipsOf(prepared, entry),
      archival.identifiersOf(entry.href),
      archival.depositorCharacteristicsOf(entry),
    ),
  );
  for (const rights of archival.rightsOf(entry)) {
    counters.rightsMD++;
    mdSec(w, "rightsMD", `rightsMD_${counters.rightsMD}`, "PREMIS:RIGHTS", () =>
      writeRightsStatement(w, rights, entry.file.id),
    );
  }
  writeProvenance(w, prepared, prepared.eventsByFile.get(entry.file.id) ?? [], counters);
  w.close("mets:amdSec");
}

/** Everything after the files' amdSecs: fileSec, structMaps, the closing tag. */
function writeClosing(plan: MetsPlan): void {
  const { input, prepared, w, tree, dmdIdsOf, archival, packageAmdSecId, amdSecIdOf } = plan;
  writeFileSec(w, prepared, amdSecIdOf);
  writeStructMap(w, tree, dmdIdsOf, packageAmdSecId, archival.labels);
  if (input.archival?.logicalStructMap) {
    writeLogicalStructMap(w, input.archival.logicalStructMap, archival.fileIdOfHref);
  }
  w.close("mets:mets");
  w.flush();
}

/** One digiprovMD per event, then one per agent those events name (in the order of `agents`). */
function writeProvenance(
  w: XmlWriter,
  prepared: PreparedMets,
  events: readonly EventRecord[],
  counters: { digiprovMD: number },
): void {
  const named = new Set<string>();
  for (const event of events) {
    counters.digiprovMD++;
    mdSec(w, "digiprovMD", `digiprovMD_${counters.digiprovMD}`, "PREMIS:EVENT", () =>
      writeEvent(w, event, prepared.agentById),
    );
    for (const agentId of event.agents) named.add(agentId);
  }
  const agents: AgentRecord[] = prepared.input.agents.filter((agent) => named.has(agent.id));
  for (const agent of agents) {
    counters.digiprovMD++;
    mdSec(w, "digiprovMD", `digiprovMD_${counters.digiprovMD}`, "PREMIS:AGENT", () => writeAgent(w, agent));
  }
}

/** Archivematica's convention: originals by their place in the transfer, derivatives in the SIP. */
function originalNameOf(file: FileRecord): string {
  return file.derivedFrom === null ? `%transferDirectory%${file.originalPath}` : `%SIPDirectory%${file.path}`;
}

function relationshipsOf(prepared: PreparedMets, entry: MetsFileEntry): Relationship[] {
  const relationships: Relationship[] = [];
  const { file } = entry;
  if (file.derivedFrom !== null) {
    relationships.push({
      subType: "has source",
      objectId: file.derivedFrom,
      eventId: normalizationEventOf(prepared, file),
    });
  }
  for (const derivative of prepared.derivativesBySource.get(file.id) ?? []) {
    relationships.push({
      subType: "is source of",
      objectId: derivative.file.id,
      eventId: normalizationEventOf(prepared, derivative.file),
    });
  }
  return relationships;
}

/**
 * The normalization event that produced `derivative`: among "normalization" events of the source and
 * of the derivative, the one whose detail names the derivative (id or path), else the only one.
 */
function normalizationEventOf(prepared: PreparedMets, derivative: FileRecord): string | null {
  const candidates = [derivative.derivedFrom!, derivative.id].flatMap((fileId) =>
    (prepared.eventsByFile.get(fileId) ?? []).filter((event) => event.type.toLowerCase() === "normalization"),
  );
  const naming = candidates.filter((event) =>
    [event.detail, event.outcomeDetail].some(
      (text) => text.includes(derivative.id) || text.includes(derivative.path),
    ),
  );
  if (naming.length === 1) return naming[0]!.id;
  if (candidates.length === 1) return candidates[0]!.id;
  return null;
}
