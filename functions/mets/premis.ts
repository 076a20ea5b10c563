/**
 * PREMIS 3 entities as Archivematica writes them inside METS: a file object (techMD), events and
 * agents (digiprovMD), and the package's intellectual entity (dmdSec).
 */
import type { AgentRecord, EventRecord, FileRecord } from "../core/model.ts";
import { canonicalJson, compareCodePoints, creatingApplicationOf } from "./characteristics.ts";
import type { DepositorCharacteristics } from "./input.ts";
import type { XmlWriter } from "./xml-writer.ts";

export const PREMIS_NS = "http://www.loc.gov/premis/v3";
export const PREMIS_SCHEMA_URL = "http://www.loc.gov/standards/premis/v3/premis.xsd";
/** Namespace of the wrapper elements holding tool output in objectCharacteristicsExtension. */
export const CHARACTERISTICS_NS = "urn:x-stepmatica:characteristics:1";

const VERSION: [string, string] = ["version", "3.0"];

export interface Relationship {
  subType: "has source" | "is source of";
  objectId: string;
  /** The normalization event that made the derivative, when it can be told. */
  eventId: string | null;
}

export function writeFileObject(
  w: XmlWriter,
  file: FileRecord,
  originalName: string,
  relationships: readonly Relationship[],
  extraIdentifiers: ReadonlyArray<{ type: string; value: string }> = [],
  depositor?: DepositorCharacteristics,
): void {
  w.open("premis:object", [["xsi:type", "premis:file"], VERSION]);
  identifier(w, "objectIdentifier", "UUID", file.id);
  for (const extra of extraIdentifiers) identifier(w, "objectIdentifier", extra.type, extra.value);
  w.open("premis:objectCharacteristics");
  w.leaf("premis:compositionLevel", "0");
  if (file.sha256 !== null) {
    w.open("premis:fixity");
    w.leaf("premis:messageDigestAlgorithm", "sha256");
    w.leaf("premis:messageDigest", file.sha256);
    w.close("premis:fixity");
  }
  // The depositor's checksums (they matched the file when the transfer was verified), ours first.
  for (const fixity of depositor?.fixity ?? []) {
    if (fixity.algorithm === "sha256" && fixity.digest === file.sha256) continue;
    w.open("premis:fixity");
    w.leaf("premis:messageDigestAlgorithm", fixity.algorithm);
    w.leaf("premis:messageDigest", fixity.digest);
    w.leaf("premis:messageDigestOriginator", `depositor (${depositor!.source})`);
    w.close("premis:fixity");
  }
  w.leaf("premis:size", String(file.size));
  writeFormat(w, file);
  for (const format of depositor?.formats ?? []) writeDepositorFormat(w, format, depositor!.source);
  const application = creatingApplicationOf(file.characteristics);
  if (application !== null) {
    w.open("premis:creatingApplication");
    w.leaf("premis:creatingApplicationName", application);
    w.close("premis:creatingApplication");
  }
  writeCharacteristics(w, file.characteristics);
  w.close("premis:objectCharacteristics");
  w.leaf("premis:originalName", originalName);
  for (const relationship of relationships) {
    w.open("premis:relationship");
    w.leaf("premis:relationshipType", "derivation");
    w.leaf("premis:relationshipSubType", relationship.subType);
    identifier(w, "relatedObjectIdentifier", "UUID", relationship.objectId);
    if (relationship.eventId !== null) identifier(w, "relatedEventIdentifier", "UUID", relationship.eventId);
    w.close("premis:relationship");
  }
  w.close("premis:object");
}

/** formatDesignation when a name is known, formatRegistry (PRONOM) when a PUID is known. */
function writeFormat(w: XmlWriter, file: FileRecord): void {
  w.open("premis:format");
  const name = file.formatName ?? (file.puid === null ? "Unknown" : null);
  if (name !== null) {
    w.open("premis:formatDesignation");
    w.leaf("premis:formatName", name);
    if (file.formatVersion !== null) w.leaf("premis:formatVersion", file.formatVersion);
    w.close("premis:formatDesignation");
  }
  if (file.puid !== null) {
    w.open("premis:formatRegistry");
    w.leaf("premis:formatRegistryName", "PRONOM");
    w.leaf("premis:formatRegistryKey", file.puid);
    w.close("premis:formatRegistry");
  }
  w.close("premis:format");
}

/** A format the depositor recorded: kept beside the one stepmatica identified, and labelled as theirs. */
function writeDepositorFormat(
  w: XmlWriter,
  format: DepositorCharacteristics["formats"][number],
  source: string,
): void {
  w.open("premis:format");
  if (format.name) {
    w.open("premis:formatDesignation");
    w.leaf("premis:formatName", format.name);
    if (format.version) w.leaf("premis:formatVersion", format.version);
    w.close("premis:formatDesignation");
  }
  if (format.registryKey) {
    w.open("premis:formatRegistry");
    w.leaf("premis:formatRegistryName", format.registryName ?? "unknown");
    w.leaf("premis:formatRegistryKey", format.registryKey);
    w.close("premis:formatRegistry");
  }
  w.leaf(
    "premis:formatNote",
    `As recorded by the depositor in ${source}; not an identification by stepmatica`,
  );
  w.close("premis:format");
}

/**
 * One element per tool, holding that tool's output as canonical JSON text (escaped), e.g.
 * <sm:tool xmlns:sm="urn:x-stepmatica:characteristics:1" name="exiftool" mediaType="application/json">.
 */
function writeCharacteristics(w: XmlWriter, characteristics: Record<string, unknown> | null): void {
  if (characteristics === null) return;
  const tools = Object.keys(characteristics)
    .filter((tool) => characteristics[tool] !== undefined)
    .sort(compareCodePoints);
  if (tools.length === 0) return;
  w.open("premis:objectCharacteristicsExtension");
  for (const tool of tools) {
    w.leaf("sm:tool", canonicalJson(characteristics[tool]), [
      ["xmlns:sm", CHARACTERISTICS_NS],
      ["name", tool],
      ["mediaType", "application/json"],
    ]);
  }
  w.close("premis:objectCharacteristicsExtension");
}

export function writeEvent(w: XmlWriter, event: EventRecord, agentById: Map<string, AgentRecord>): void {
  w.open("premis:event", [VERSION]);
  identifier(w, "eventIdentifier", "UUID", event.id);
  w.leaf("premis:eventType", event.type);
  w.leaf("premis:eventDateTime", event.dateTime.toISOString());
  if (event.detail !== "") {
    w.open("premis:eventDetailInformation");
    w.leaf("premis:eventDetail", event.detail);
    w.close("premis:eventDetailInformation");
  }
  w.open("premis:eventOutcomeInformation");
  w.leaf("premis:eventOutcome", event.outcome);
  if (event.outcomeDetail !== "") {
    w.open("premis:eventOutcomeDetail");
    w.leaf("premis:eventOutcomeDetailNote", event.outcomeDetail);
    w.close("premis:eventOutcomeDetail");
  }
  w.close("premis:eventOutcomeInformation");
  for (const agentId of new Set(event.agents)) {
    const agent = agentById.get(agentId)!;
    w.fragment(`linkingAgent ${agentId}`, (f) =>
      identifier(f, "linkingAgentIdentifier", agent.identifierType, agent.identifierValue),
    );
  }
  w.close("premis:event");
}

export function writeAgent(w: XmlWriter, agent: AgentRecord): void {
  w.fragment(`agent ${agent.id}`, (f) => {
    f.open("premis:agent", [VERSION]);
    identifier(f, "agentIdentifier", agent.identifierType, agent.identifierValue);
    f.leaf("premis:agentName", agent.name);
    f.leaf("premis:agentType", agent.type);
    f.close("premis:agent");
  });
}

/**
 * The package (or a folder) as a PREMIS intellectual entity: its UUID, any external identifier,
 * the identifiers metadata/identifiers.json gives it, its name.
 */
export function writeIntellectualEntity(
  w: XmlWriter,
  objectId: string | null,
  externalIdentifier: string | undefined,
  originalName: string,
  extraIdentifiers: ReadonlyArray<{ type: string; value: string }> = [],
): void {
  w.open("premis:object", [["xsi:type", "premis:intellectualEntity"], VERSION]);
  if (objectId !== null) identifier(w, "objectIdentifier", "UUID", objectId);
  if (externalIdentifier !== undefined) {
    identifier(w, "objectIdentifier", "External-Identifier", externalIdentifier);
  }
  for (const extra of extraIdentifiers) identifier(w, "objectIdentifier", extra.type, extra.value);
  w.leaf("premis:originalName", originalName);
  w.close("premis:object");
}

/** <premis:{x}><premis:{x}Type>…</…><premis:{x}Value>…</…></premis:{x}> */
function identifier(w: XmlWriter, element: string, type: string, value: string): void {
  w.open("premis:" + element);
  w.leaf("premis:" + element + "Type", type);
  w.leaf("premis:" + element + "Value", value);
  w.close("premis:" + element);
}
