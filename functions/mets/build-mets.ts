/**
 * METS 1.12.1 + PREMIS 3 for a transfer or an AIP, modelled on Archivematica's AIP METS.
 * Deterministic: everything comes from the input (no clock, no random ids), records are sorted,
 * ids are counters in document order, so the same input always gives the same bytes.
 *
 * One writer (writeDocument) serves a unit held in memory and a unit read from the store a page
 * at a time: it reads its files from a MetsFileSource and their details from MetsPages.
 */
import { type MetsPages, writeAmdSecs, writeProvenance } from "./amd-secs.ts";
import { writeDublinCore, writeOtherMetadata } from "./dublin-core.ts";
import type { MetsHeader, MetsInput, PreparedMets } from "./input.ts";
import { prepareMets } from "./input.ts";
import { writeLogicalStructMap } from "./logical.ts";
import { amdSecIdOf, type MetsPlan, planMets } from "./plan.ts";
import { PREMIS_NS, PREMIS_SCHEMA_URL, writeIntellectualEntity } from "./premis.ts";
import { mdSec, writeHeader } from "./sections.ts";
import { type MetsFileSource, memoryFileSource } from "./source.ts";
import { answerOf, runSteps, runStepsAsync, type Steps, settled, startSteps } from "./steps.ts";
import { type DivLinks, writeFileSec, writeStructMap } from "./structure.ts";
import { type MetsSpill, Pace, pacedSource } from "./tail.ts";
import { XmlWriter } from "./xml-writer.ts";

export type { MetsPages } from "./amd-secs.ts";
export type { MetsSpill } from "./tail.ts";

export const METS_NS = "http://www.loc.gov/METS/";
export const METS_SCHEMA_URL = "http://www.loc.gov/standards/mets/version1121/mets.xsd";
export const XLINK_NS = "http://www.w3.org/1999/xlink";
export const XSI_NS = "http://www.w3.org/2001/XMLSchema-instance";

/** How many files the in-memory writers handle per step: any size gives the same bytes. */
const MEMORY_PAGE_FILES = 1000;

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
  const prepared = prepareMets(input);
  const source = memoryFileSource(prepared.files);
  checkTree(input, source);
  const pages = memoryPages(prepared);
  const unitEvents = input.events.filter((event) => event.fileId === null);
  runSteps(writeDocument({ ...headerOf(input), events: unitEvents }, source, pages, sink));
}

/**
 * writeMets for a unit whose files' details are too large to hold: `input.files` are the files'
 * records without their characteristics and `input.events` only the unit's own events (fileId
 * null); each file's tool output and events are read from `pages` for one page of files at a time,
 * written, and let go. The same bytes as writeMets's. An error in a page's records is thrown
 * mid-document: the caller writes to a temporary file (writeFileStreamAtomic).
 */
export async function writeMetsPaged(
  input: MetsInput,
  pages: MetsPages,
  sink: (chunk: string) => void,
): Promise<void> {
  const source = memoryFileSource(prepareMets(input).files);
  checkTree(input, source);
  await runStepsAsync(writeDocument(headerOf(input), source, pages, sink));
}

/**
 * writeMetsPaged for a unit too large to hold even in outline: its files come from `source` a page
 * at a time, in each order the document needs. Two files at one href or a file under a file are
 * found as the structMap is written, mid-document, like an error in a page's records. Returns how
 * many files the document describes.
 */
export function writeMetsFromSource(
  header: MetsHeader,
  source: MetsFileSource & MetsPages,
  sink: (chunk: string) => void,
  options: { spill?: MetsSpill } = {},
): Promise<number> {
  return runStepsAsync(writeDocument(header, source, source, sink, options.spill));
}

function headerOf({ files: _files, ...header }: MetsInput): MetsHeader {
  return header;
}

/**
 * The folder tree's clashes are found while the structMap is written, at the end of the document:
 * with the files in memory, look for them before the first byte.
 */
function checkTree(input: MetsInput, source: MetsFileSource): void {
  const links: DivLinks = {
    rootLabel: input.name,
    rootAdmId: undefined,
    dmdIdsOf: new Map(),
    labels: new Map(),
  };
  runSteps(writeStructMap(new XmlWriter(() => {}), source, MEMORY_PAGE_FILES, links));
}

/** The details of files held in memory, answered at once. */
function memoryPages(prepared: PreparedMets): MetsPages {
  return {
    pageSize: MEMORY_PAGE_FILES,
    recordsOf: (ids) => ids.map((id) => prepared.fileById.get(id)!.file),
    eventsOf: (ids) => ids.flatMap((id) => prepared.eventsByFile.get(id) ?? []),
  };
}

function* writeDocument(
  header: MetsHeader,
  source: MetsFileSource,
  pages: MetsPages,
  sink: (chunk: string) => void,
  spill?: MetsSpill,
): Steps<number> {
  const plan = yield* planMets(header, source, pages.pageSize, sink);
  writeOpening(plan);
  const { w, archival } = plan;
  let files: number;
  if (spill) {
    // The fileSec and structMap go to the spill meanwhile; an error in either waits for the amdSecs.
    const tail = new XmlWriter((chunk) => spill.sink(chunk), w.currentDepth);
    const pace = new Pace();
    const writingTail = startSteps(writeStructure(plan, pacedSource(source, pace), pages.pageSize, tail));
    try {
      files = yield* writeAmdSecs(plan, source, pages, () => pace.pageWritten());
    } finally {
      pace.finish();
      yield* settled(writingTail); // no statement of this document outlives it
    }
    yield* answerOf(writingTail);
    w.flush();
    yield* answerOf(spill.replay(sink));
  } else {
    files = yield* writeAmdSecs(plan, source, pages);
    yield* writeStructure(plan, source, pages.pageSize, w);
  }
  if (header.archival?.logicalStructMap) {
    writeLogicalStructMap(w, header.archival.logicalStructMap, archival.fileIdOfHref);
  }
  w.close("mets:mets");
  w.flush();
  return files;
}

/** The fileSec and the physical structMap. */
function* writeStructure(plan: MetsPlan, source: MetsFileSource, pageSize: number, w: XmlWriter): Steps {
  yield* writeFileSec(w, source, pageSize, (entry) => amdSecIdOf(plan, entry.rank));
  yield* writeStructMap(w, source, pageSize, {
    rootLabel: plan.packageLabel,
    rootAdmId: plan.packageAmdSecId,
    dmdIdsOf: plan.dmdIdsOf,
    labels: plan.archival.labels,
  });
  w.flush();
}

/** Everything before the files' amdSecs: header, dmdSecs, the package's own amdSec. */
function writeOpening(plan: MetsPlan): void {
  const { header, w, packageLabel, archival, descriptive, folderEntities } = plan;
  w.raw('<?xml version="1.0" encoding="UTF-8"?>');
  w.open("mets:mets", [
    ["xmlns:mets", METS_NS],
    ["xmlns:premis", PREMIS_NS],
    ["xmlns:xlink", XLINK_NS],
    ["xmlns:xsi", XSI_NS],
    ["xsi:schemaLocation", `${METS_NS} ${METS_SCHEMA_URL} ${PREMIS_NS} ${PREMIS_SCHEMA_URL}`],
    ["OBJID", header.objectId],
    ["TYPE", header.kind === "aip" ? "AIP" : "transfer"],
  ]);
  writeHeader(w, header);

  mdSec(w, "dmdSec", "dmdSec_1", "PREMIS:OBJECT", () =>
    writeIntellectualEntity(
      w,
      header.objectId,
      header.externalIdentifier,
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
    writeProvenance(plan, plan.unitEvents);
    w.close("mets:amdSec");
  }
}
