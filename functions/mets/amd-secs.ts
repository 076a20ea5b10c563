/**
 * The files' amdSecs, a page of files at a time: each file's PREMIS object (its whole record, tool
 * output included), rights and events are read for the page, written, and let go. The next page is
 * read while one is written, so at most two pages are held.
 */
import type { AgentRecord, EventRecord, FileRecord } from "../core/model.ts";
import { checkEntry, indexEvents, type MetsFileEntry, MetsInputError } from "./input.ts";
import { amdSecIdOf, type MetsPlan } from "./plan.ts";
import { type Relationship, writeAgent, writeEvent, writeFileObject } from "./premis.ts";
import { relationsOf } from "./relations.ts";
import { writeRightsStatement } from "./rights.ts";
import { mdSec } from "./sections.ts";
import type { MetsFileSource, RankedEntry } from "./source.ts";
import { type Answer, allOf, answerOf, type Steps, settled, startSteps, turn } from "./steps.ts";

/**
 * Files written between turns of the event loop: the next page's reads (three queries one after
 * another) move on while this page is written, instead of one query per page written.
 */
const FILES_BETWEEN_TURNS = 32;

/**
 * The details of files that the writer reads a page at a time: their whole records (tool output
 * included) and their events (a SIP's events from its transfer too).
 */
export interface MetsPages {
  pageSize: number;
  recordsOf(fileIds: string[]): Answer<FileRecord[]>;
  eventsOf(fileIds: string[]): Answer<EventRecord[]>;
}

/** What the sections of one page know beyond its files. */
interface PageContext {
  /** Events of the page's files and of the files their relationships name, by dateTime then id. */
  eventsByFile: Map<string, EventRecord[]>;
  derivativesOf: Map<string, MetsFileEntry[]>;
}

/** Every file's amdSec, by href then id; returns how many files there were. */
export function* writeAmdSecs(
  plan: MetsPlan,
  source: MetsFileSource,
  pages: MetsPages,
  pageWritten?: () => void,
): Steps<number> {
  let count = 0;
  let reading = startSteps(readPage(plan, source, pages, null));
  try {
    for (;;) {
      const page: AmdSecPage = yield* answerOf(reading);
      const full = page.entries.length === pages.pageSize;
      // The next page is read while this one is written: the database and the writer work at once.
      if (full) reading = startSteps(readPage(plan, source, pages, page.entries[page.entries.length - 1]!));
      for (const [index, entry] of page.entries.entries()) {
        const record = page.recordById.get(entry.file.id);
        if (!record) throw new MetsInputError(`file ${entry.file.path} (id ${entry.file.id}) has no record`);
        writeFileAmdSec(plan, page.context, { file: record, href: entry.href }, entry.rank);
        if (index % FILES_BETWEEN_TURNS === FILES_BETWEEN_TURNS - 1) yield* turn();
      }
      count += page.entries.length;
      pageWritten?.();
      if (!full) return count;
    }
  } finally {
    yield* settled(reading); // a page read ahead of an error is waited for, not left running
  }
}

/** A page of files with everything their amdSecs say: their records, events and relations. */
interface AmdSecPage {
  entries: RankedEntry[];
  recordById: Map<string, FileRecord>;
  context: PageContext;
}

function* readPage(
  plan: MetsPlan,
  source: MetsFileSource,
  pages: MetsPages,
  after: RankedEntry | null,
): Steps<AmdSecPage> {
  const entries: RankedEntry[] = yield* answerOf(source.rankedPage("all", after, pages.pageSize));
  if (entries.length === 0)
    return { entries, recordById: new Map(), context: { eventsByFile: new Map(), derivativesOf: new Map() } };
  for (const entry of entries) checkEntry(entry);
  const ids = entries.map(({ file }) => file.id);
  // The page's own records and events are asked with its relations: one round trip, not two.
  const [records, events, { derivativesOf, related }] = yield* allOf(
    pages.recordsOf(ids),
    pages.eventsOf(ids),
    startSteps(relationsOf(source, entries)),
  );
  // The related files beyond the page (sources, derivatives) can be more than a page: a page at a time.
  const own = new Set(ids);
  for (const more of chunks(
    related.filter((id) => !own.has(id)),
    pages.pageSize,
  ))
    events.push(...(yield* answerOf(pages.eventsOf(more))));
  const { eventsByFile } = indexEvents({ fileIds: new Set(related), agentById: plan.agentById }, events);
  return {
    entries,
    recordById: new Map(records.map((r) => [r.id, r])),
    context: { eventsByFile, derivativesOf },
  };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

/** One file's amdSec: its PREMIS object, rights and events. */
function writeFileAmdSec(plan: MetsPlan, context: PageContext, entry: MetsFileEntry, rank: number): void {
  const { w, archival, counters } = plan;
  w.open("mets:amdSec", [["ID", amdSecIdOf(plan, rank)]]);
  counters.techMD++;
  mdSec(w, "techMD", `techMD_${counters.techMD}`, "PREMIS:OBJECT", () =>
    writeFileObject(
      w,
      entry.file,
      originalNameOf(entry.file),
      relationshipsOf(context, entry),
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
  writeProvenance(plan, context.eventsByFile.get(entry.file.id) ?? []);
  w.close("mets:amdSec");
}

/** One digiprovMD per event, then one per agent those events name (in the order of the agents given). */
export function writeProvenance(plan: MetsPlan, events: readonly EventRecord[]): void {
  const { w, counters } = plan;
  const named = new Set<string>();
  for (const event of events) {
    counters.digiprovMD++;
    mdSec(w, "digiprovMD", `digiprovMD_${counters.digiprovMD}`, "PREMIS:EVENT", () =>
      writeEvent(w, event, plan.agentById),
    );
    for (const agentId of event.agents) named.add(agentId);
  }
  const agents: AgentRecord[] = plan.header.agents.filter((agent) => named.has(agent.id));
  for (const agent of agents) {
    counters.digiprovMD++;
    mdSec(w, "digiprovMD", `digiprovMD_${counters.digiprovMD}`, "PREMIS:AGENT", () => writeAgent(w, agent));
  }
}

/** Archivematica's convention: originals by their place in the transfer, derivatives in the SIP. */
function originalNameOf(file: FileRecord): string {
  return file.derivedFrom === null ? `%transferDirectory%${file.originalPath}` : `%SIPDirectory%${file.path}`;
}

function relationshipsOf(context: PageContext, entry: MetsFileEntry): Relationship[] {
  const relationships: Relationship[] = [];
  const { file } = entry;
  if (file.derivedFrom !== null) {
    relationships.push({
      subType: "has source",
      objectId: file.derivedFrom,
      eventId: normalizationEventOf(context, file),
    });
  }
  for (const derivative of context.derivativesOf.get(file.id) ?? []) {
    relationships.push({
      subType: "is source of",
      objectId: derivative.file.id,
      eventId: normalizationEventOf(context, derivative.file),
    });
  }
  return relationships;
}

/**
 * The normalization event that produced `derivative`: among "normalization" events of the source and
 * of the derivative, the one whose detail names the derivative (id or path), else the only one.
 */
function normalizationEventOf(context: PageContext, derivative: FileRecord): string | null {
  const candidates = [derivative.derivedFrom!, derivative.id].flatMap((fileId) =>
    (context.eventsByFile.get(fileId) ?? []).filter((event) => event.type.toLowerCase() === "normalization"),
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
