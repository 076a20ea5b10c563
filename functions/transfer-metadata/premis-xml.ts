/**
 * metadata/premis.xml (Archivematica's PREMIS importer): events and agents recorded before the
 * transfer, carried into the AIP METS for the files they describe. Objects are matched to files by
 * premis:originalName ("objects/…"); an event applies to the objects its linkingObjectIdentifiers
 * name. Events become ordinary PREMIS events of those files (their own date, detail and outcome),
 * agents the agents they link to. Objects' rights are not imported (rights.csv carries rights).
 */
import type { AgentRecord, EventOutcome, EventRecord, FileRecord } from "../core/model.ts";
import { lineAt, scanXml } from "../mets/xml-scan.ts";
import { TransferMetadataError } from "./errors.ts";
import { derivedUuid } from "./ids.ts";
import type { TargetResolver } from "./targets.ts";

const PREMIS_NS = "http://www.loc.gov/premis/v3";

type Fields = Map<string, string[]>;
interface Entity {
  kind: "object" | "event" | "agent";
  line: number;
  fields: Fields;
}

export interface ImportedProvenance {
  events: EventRecord[];
  agents: AgentRecord[];
}

export function provenanceFromPremis(
  xml: string,
  where: string,
  resolve: TargetResolver,
  context: { unitId: string; files: readonly FileRecord[] },
): ImportedProvenance {
  const entities = readEntities(xml.replace(/^\uFEFF/, ""), where);
  const fileIdByPath = new Map(context.files.map((f) => [f.path, f.id]));
  const pathOfObject = new Map<string, string>();
  for (const object of entities.filter((e) => e.kind === "object")) {
    const name = first(object.fields, "originalName");
    const id = first(object.fields, "objectIdentifierValue");
    if (!name || !id) continue;
    pathOfObject.set(id, resolve(name, `${where} line ${object.line}`));
  }
  const agents: AgentRecord[] = [];
  const agentIdOf = new Map<string, string>();
  for (const agent of entities.filter((e) => e.kind === "agent")) {
    const value = first(agent.fields, "agentIdentifierValue") ?? "";
    const id = derivedUuid(context.unitId, `premis.xml agent ${value}`);
    agentIdOf.set(value, id);
    agents.push({
      id,
      type: agentType(first(agent.fields, "agentType")),
      name: first(agent.fields, "agentName") ?? value,
      identifierType: first(agent.fields, "agentIdentifierType") ?? "",
      identifierValue: value,
    });
  }
  const events: EventRecord[] = [];
  for (const event of entities.filter((e) => e.kind === "event")) {
    const at = `${where} line ${event.line}`;
    const when = new Date(first(event.fields, "eventDateTime") ?? "");
    if (Number.isNaN(when.getTime())) throw new TransferMetadataError(`${at}: eventDateTime is not a date`);
    const objects = event.fields.get("linkingObjectIdentifierValue") ?? [];
    const recorded = first(event.fields, "eventOutcome") ?? "";
    const note = (event.fields.get("eventOutcomeDetailNote") ?? []).join("; ");
    for (const objectId of objects) {
      const target = pathOfObject.get(objectId);
      const fileId = target ? fileIdByPath.get(target) : undefined;
      if (!fileId)
        throw new TransferMetadataError(
          `${at}: links to object ${objectId}, which is no file of the transfer`,
        );
      const original = first(event.fields, "eventIdentifierValue") ?? "";
      events.push({
        id: derivedUuid(context.unitId, `premis.xml event ${original} ${objectId}`),
        unitId: context.unitId,
        fileId,
        taskId: null,
        type: first(event.fields, "eventType") ?? "",
        dateTime: when,
        detail: (event.fields.get("eventDetail") ?? []).join("; "),
        outcome: outcomeOf(recorded),
        // The depositor's own words stay: the outcome as recorded and where the event came from.
        outcomeDetail: `${note}${note ? " " : ""}(imported from ${where}; recorded outcome "${recorded}"; event ${original})`,
        agents: (event.fields.get("linkingAgentIdentifierValue") ?? []).flatMap((v) => {
          const id = agentIdOf.get(v);
          return id ? [id] : [];
        }),
      });
    }
  }
  return { events, agents };
}

function readEntities(xml: string, where: string): Entity[] {
  const entities: Entity[] = [];
  let current: Entity | null = null;
  let leaf: string | null = null;
  try {
    scanXml(xml, {
      start(tag) {
        if (tag.ns !== PREMIS_NS) return;
        if (tag.local === "object" || tag.local === "event" || tag.local === "agent") {
          current = { kind: tag.local, line: lineAt(xml, tag.offset), fields: new Map() };
        } else leaf = tag.local;
      },
      end(tag) {
        if (tag.ns !== PREMIS_NS) return;
        if (current && tag.local === current.kind) {
          entities.push(current);
          current = null;
        }
        leaf = null;
      },
      text(text) {
        const value = text.trim();
        if (!current || !leaf || value === "") return;
        const fields = (current as Entity).fields;
        fields.set(leaf, [...(fields.get(leaf) ?? []), value]);
      },
    });
  } catch (error) {
    throw new TransferMetadataError(`${where}: not well-formed XML (${(error as Error).message})`);
  }
  return entities;
}

function first(fields: Fields, name: string): string | undefined {
  return fields.get(name)?.[0];
}

function outcomeOf(recorded: string): EventOutcome {
  if (/fail|negative|error/i.test(recorded)) return "failure";
  if (/warn/i.test(recorded)) return "warning";
  return "success";
}

function agentType(recorded: string | undefined): AgentRecord["type"] {
  const value = (recorded ?? "").toLowerCase();
  if (value.includes("software")) return "software";
  if (value.includes("organi")) return "organization";
  return "person";
}
