/**
 * metadata/premis.xml (Archivematica's PREMIS importer): what was recorded before the transfer,
 * carried into the METS of the files it describes. Objects are matched to files by originalName (or
 * contentLocationValue), relative to the transfer ("objects/…"); an object naming no file of the
 * transfer is an error. Events become PREMIS events of their objects' files (their own date, detail
 * and outcome, the source kept in the outcome note) with their agents; rights statements become
 * rightsMD of those files (one per act granted); the depositor's formats and checksums join the
 * file's techMD. Checksums and sizes are verified against the files earlier, in "Verify transfer
 * checksums" (premis-fixity.ts), so the METS only carries what matched.
 */
import type { AgentRecord, EventOutcome, EventRecord, FileRecord } from "../core/model.ts";
import type { DepositorCharacteristics } from "../mets/input.ts";
import type { RightsBasis, RightsStatementInput } from "../mets/rights.ts";
import { derivedUuid } from "./ids.ts";
import { digestAlgorithmOf } from "./premis-fixity.ts";
import {
  first,
  keyOf,
  objectIndex,
  type PremisDocument,
  type PremisNode,
  readPremis,
  text,
  texts,
} from "./premis-read.ts";
import type { TargetResolver } from "./targets.ts";

export interface ImportedProvenance {
  events: EventRecord[];
  agents: AgentRecord[];
  rights: RightsStatementInput[];
  characteristics: DepositorCharacteristics[];
}

export function provenanceFromPremis(
  xml: string,
  where: string,
  resolve: TargetResolver,
  context: { unitId: string; files: readonly FileRecord[] },
): ImportedProvenance {
  const doc = readPremis(xml, where);
  const fileIdByPath = new Map(context.files.map((f) => [f.path, f.id]));
  // Every object must name a file of the transfer (resolve throws, naming the line and the name).
  const targetOf = new Map(doc.objects.map((o) => [o, resolve(o.name, `${where} line ${o.line}`)]));
  const byKey = objectIndex(doc);
  const agents = agentsOf(doc, context.unitId);
  const agentIdOf = new Map(doc.agents.map((a, i) => [keyOf(a.identifier), agents[i]!.id]));
  const events: EventRecord[] = [];
  for (const event of doc.events) {
    const recorded = event.outcomes.join("; ");
    const note = event.outcomeNotes.join("; ");
    const original = event.identifier.value;
    for (const objectKey of new Set(event.objects.map((k) => byKey.get(k)))) {
      const target = objectKey ? targetOf.get(objectKey) : undefined;
      const fileId = target ? fileIdByPath.get(target) : undefined;
      if (!fileId || !objectKey) continue; // resolve() already refused objects naming no file
      events.push({
        id: derivedUuid(context.unitId, `premis.xml event ${keyOf(event.identifier)} ${target}`),
        unitId: context.unitId,
        fileId,
        taskId: null,
        type: event.type,
        dateTime: event.dateTime,
        detail: event.details.join("; "),
        outcome: outcomeOf(recorded),
        // The depositor's own words stay: the outcome as recorded and where the event came from.
        outcomeDetail: `${note}${note ? " " : ""}(imported from ${where} line ${event.line}; recorded outcome "${recorded}"; event ${original})`,
        agents: event.agents.flatMap((k) => agentIdOf.get(k) ?? []),
      });
    }
  }
  const rights: RightsStatementInput[] = [];
  for (const statement of doc.rights) {
    const targets = new Set(statement.objects.map((k) => targetOf.get(byKey.get(k)!)!));
    for (const target of targets)
      rights.push(
        ...rightsOf(statement.node, {
          id: (n) =>
            derivedUuid(context.unitId, `premis.xml rights ${keyOf(statement.identifier)} ${target} ${n}`),
          target,
        }),
      );
  }
  const characteristics = doc.objects.map((object) => ({
    target: targetOf.get(object)!,
    formats: object.formats.filter((f) => f.name || f.registryKey),
    fixity: object.fixity.flatMap((f) => {
      const algorithm = digestAlgorithmOf(f.algorithm);
      return algorithm ? [{ algorithm, digest: f.digest.toLowerCase() }] : [];
    }),
    source: where,
  }));
  return { events, agents, rights, characteristics };
}

function agentsOf(doc: PremisDocument, unitId: string): AgentRecord[] {
  return doc.agents.map((agent) => ({
    id: derivedUuid(unitId, `premis.xml agent ${keyOf(agent.identifier)}`),
    type: agentType(agent.type),
    name: agent.name,
    identifierType: agent.identifier.type,
    identifierValue: agent.identifier.value,
  }));
}

const BASES: Record<string, RightsBasis> = {
  copyright: "Copyright",
  license: "License",
  licence: "License",
  statute: "Statute",
  donor: "Donor",
  policy: "Policy",
  other: "Other",
};

/** A premis:rightsStatement as our rights inputs: one per rightsGranted (one act each), as rights.csv rows are. */
function rightsOf(
  node: PremisNode,
  make: { id: (n: number) => string; target: string },
): RightsStatementInput[] {
  const basisText = text(node, "rightsBasis") ?? "";
  const basis = BASES[basisText.toLowerCase()] ?? "Other";
  const info =
    first(node, "copyrightInformation") ??
    first(node, "licenseInformation") ??
    first(node, "statuteInformation") ??
    first(node, "otherRightsInformation");
  const dates = info?.children.find((c) => c.local.endsWith("ApplicableDates"));
  const documentation = info?.children.find((c) => c.local.endsWith("DocumentationIdentifier"));
  const docPart = (suffix: string) =>
    documentation?.children.find((c) => c.local.endsWith(suffix))?.text.trim() || undefined;
  const status =
    basis === "Other"
      ? (text(node, "otherRightsInformation", "otherRightsBasis") ?? basisText)
      : text(node, "copyrightInformation", "copyrightStatus");
  const common = prune({
    basis,
    status,
    determinationDate:
      text(node, "copyrightInformation", "copyrightStatusDeterminationDate") ??
      text(node, "statuteInformation", "statuteInformationDeterminationDate"),
    jurisdiction:
      text(node, "copyrightInformation", "copyrightJurisdiction") ??
      text(node, "statuteInformation", "statuteJurisdiction"),
    startDate: dates ? text(dates, "startDate") : undefined,
    endDate: dates ? openDate(text(dates, "endDate")) : undefined,
    terms: text(node, "licenseInformation", "licenseTerms"),
    citation: text(node, "statuteInformation", "statuteCitation"),
    note: notesOf(info),
    documentation:
      docPart("IdentifierType") || docPart("IdentifierValue")
        ? prune({
            type: docPart("IdentifierType") ?? "",
            value: docPart("IdentifierValue") ?? "",
            role: docPart("Role"),
          })
        : undefined,
  });
  const grants = node.children.filter((c) => c.local === "rightsGranted");
  if (grants.length === 0) return [{ id: make.id(0), target: make.target, restrictions: [], ...common }];
  return grants.map((grant, n) =>
    prune({
      id: make.id(n),
      target: make.target,
      ...common,
      act: text(grant, "act"),
      restrictions: texts(grant, "restriction"),
      grantStartDate: text(grant, "termOfGrant", "startDate"),
      grantEndDate: openDate(text(grant, "termOfGrant", "endDate")),
      grantNote: texts(grant, "rightsGrantedNote").join("; ") || undefined,
    }),
  );
}

/** copyrightNote, licenseNote, statuteNote or otherRightsNote, joined. */
function notesOf(info: PremisNode | undefined): string | undefined {
  const notes = (info?.children ?? []).filter((c) => c.local.endsWith("Note")).map((c) => c.text.trim());
  return notes.filter(Boolean).join("; ") || undefined;
}

/** PREMIS writes an open end as "OPEN" (Archivematica) or leaves it out. */
const openDate = (value: string | undefined) => (value?.toLowerCase() === "open" ? "OPEN" : value);

function outcomeOf(recorded: string): EventOutcome {
  if (/fail|negative|error/i.test(recorded)) return "failure";
  if (/warn/i.test(recorded)) return "warning";
  return "success";
}

function agentType(recorded: string): AgentRecord["type"] {
  const value = recorded.toLowerCase();
  if (value.includes("software")) return "software";
  if (value.includes("organi")) return "organization";
  return "person";
}

/** Drops undefined fields (exactOptionalPropertyTypes). */
function prune<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
