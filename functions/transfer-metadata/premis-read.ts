/**
 * metadata/premis.xml read into its entities (objects, events, agents, rights statements) with the
 * links between them resolved as Archivematica's importer resolves them: an identifier is its
 * (type, value) pair, and a link may be written on either side (an object's linkingEventIdentifier
 * or an event's linkingObjectIdentifier; an agent's linkingEventIdentifier or an event's
 * linkingAgentIdentifier). A link to an entity the file does not hold is an error naming both.
 */
import { lineAt, scanXml } from "../mets/xml-scan.ts";
import { TransferMetadataError } from "./errors.ts";

const PREMIS_NS = "http://www.loc.gov/premis/v3";
const XSI_NS = "http://www.w3.org/2001/XMLSchema-instance";

/** An element of premis.xml: enough of a tree to read nested PREMIS structures. */
interface Node {
  local: string;
  line: number;
  type: string | undefined;
  children: Node[];
  text: string;
}

export interface PremisIdentifier {
  type: string;
  value: string;
}

export interface PremisFormat {
  name?: string;
  version?: string;
  registryName?: string;
  registryKey?: string;
}

export interface PremisObject {
  line: number;
  identifiers: PremisIdentifier[];
  /** premis:originalName, else storage/contentLocation/contentLocationValue: the file in the transfer. */
  name: string;
  fixity: Array<{ algorithm: string; digest: string }>;
  size: number | null;
  formats: PremisFormat[];
  events: string[];
  rights: string[];
}

export interface PremisEvent {
  line: number;
  identifier: PremisIdentifier;
  type: string;
  dateTime: Date;
  details: string[];
  outcomes: string[];
  outcomeNotes: string[];
  objects: string[];
  agents: string[];
}

export interface PremisAgent {
  line: number;
  identifier: PremisIdentifier;
  name: string;
  type: string;
}

export interface PremisRights {
  line: number;
  identifier: PremisIdentifier;
  node: Node;
  objects: string[];
}

export interface PremisDocument {
  objects: PremisObject[];
  events: PremisEvent[];
  agents: PremisAgent[];
  rights: PremisRights[];
}

/** The key an identifier is linked by: its type and value, as Archivematica compares them. */
export const keyOf = (id: PremisIdentifier) => `${id.type}\u0000${id.value}`;
export const describe = (kind: string, id: PremisIdentifier) =>
  `premis:${kind} ${JSON.stringify(id.value)} (type ${JSON.stringify(id.type)})`;

export function readPremis(xml: string, where: string): PremisDocument {
  const root = parseTree(xml.replace(/^\uFEFF/, ""), where);
  if (root?.local !== "premis")
    throw new TransferMetadataError(
      `${where}: the root element is not premis:premis in the PREMIS 3 namespace (${PREMIS_NS})`,
    );
  const at = (node: Node) => `${where} line ${node.line}`;
  const doc: PremisDocument = { objects: [], events: [], agents: [], rights: [] };
  const agentLinks: AgentLink[] = [];
  for (const node of root.children) {
    if (node.local === "object") {
      // Archivematica imports file objects only; a representation or intellectual entity describes no file.
      if (node.type?.replace(/^.*:/, "") !== "file") continue;
      const name =
        text(node, "originalName") ?? text(node, "storage", "contentLocation", "contentLocationValue");
      if (!name)
        throw new TransferMetadataError(
          `${at(node)}: premis:object has neither premis:originalName nor a premis:contentLocationValue naming its file`,
        );
      const sizeText = text(node, "objectCharacteristics", "size");
      const size = sizeText === undefined ? null : Number(sizeText);
      if (size !== null && !(Number.isSafeInteger(size) && size >= 0))
        throw new TransferMetadataError(
          `${at(node)}: premis:size ${JSON.stringify(sizeText)} is not a size in bytes`,
        );
      const identifiers = all(node, "objectIdentifier").map((n) => identifierOf(n, "object", at(n)));
      if (identifiers.length === 0) identifierOf(undefined, "object", at(node));
      doc.objects.push({
        line: node.line,
        identifiers,
        name,
        fixity: all(node, "objectCharacteristics", "fixity").map((f) => ({
          algorithm: text(f, "messageDigestAlgorithm") ?? "",
          digest: text(f, "messageDigest") ?? "",
        })),
        size,
        formats: all(node, "objectCharacteristics", "format").map((f) =>
          prune({
            name: text(f, "formatDesignation", "formatName"),
            version: text(f, "formatDesignation", "formatVersion"),
            registryName: text(f, "formatRegistry", "formatRegistryName"),
            registryKey: text(f, "formatRegistry", "formatRegistryKey"),
          }),
        ),
        events: links(node, "linkingEventIdentifier", "linkingEventIdentifier"),
        rights: links(node, "linkingRightsStatementIdentifier", "linkingRightsStatementIdentifier"),
      });
    } else if (node.local === "event") {
      const dateText = text(node, "eventDateTime") ?? "";
      const dateTime = new Date(dateText);
      if (Number.isNaN(dateTime.getTime()))
        throw new TransferMetadataError(
          `${at(node)}: eventDateTime ${JSON.stringify(dateText)} is not a date`,
        );
      const type = text(node, "eventType");
      if (!type) throw new TransferMetadataError(`${at(node)}: premis:event has no premis:eventType`);
      doc.events.push({
        line: node.line,
        identifier: identifierOf(first(node, "eventIdentifier"), "event", at(node)),
        type,
        dateTime,
        details: texts(node, "eventDetailInformation", "eventDetail"),
        outcomes: texts(node, "eventOutcomeInformation", "eventOutcome"),
        outcomeNotes: texts(node, "eventOutcomeInformation", "eventOutcomeDetail", "eventOutcomeDetailNote"),
        objects: links(node, "linkingObjectIdentifier", "linkingObjectIdentifier"),
        agents: links(node, "linkingAgentIdentifier", "linkingAgentIdentifier"),
      });
    } else if (node.local === "agent") {
      const identifier = identifierOf(first(node, "agentIdentifier"), "agent", at(node));
      doc.agents.push({
        line: node.line,
        identifier,
        name: text(node, "agentName") ?? identifier.value,
        type: text(node, "agentType") ?? "",
      });
      for (const event of links(node, "linkingEventIdentifier", "linkingEventIdentifier"))
        agentLinks.push({ event, agent: keyOf(identifier), line: node.line });
    } else if (node.local === "rights") {
      for (const statement of node.children.filter((c) => c.local === "rightsStatement")) {
        doc.rights.push({
          line: statement.line,
          identifier: identifierOf(
            first(statement, "rightsStatementIdentifier"),
            "rightsStatement",
            at(statement),
          ),
          node: statement,
          objects: links(statement, "linkingObjectIdentifier", "linkingObjectIdentifier"),
        });
      }
    }
  }
  linkBothWays(doc, agentLinks, where);
  return doc;
}

/** An agent's link to an event, applied once every event is known. */
interface AgentLink {
  event: string;
  agent: string;
  line: number;
}

/** Writes every link on both of its ends, and refuses a link to an entity premis.xml does not hold. */
function linkBothWays(doc: PremisDocument, agentLinks: AgentLink[], where: string): void {
  const objects = new Map<string, PremisObject>();
  for (const object of doc.objects) for (const id of object.identifiers) objects.set(keyOf(id), object);
  const events = new Map(doc.events.map((e) => [keyOf(e.identifier), e]));
  const agents = new Set(doc.agents.map((a) => keyOf(a.identifier)));
  const rights = new Map(doc.rights.map((r) => [keyOf(r.identifier), r]));
  const missing = (line: number, what: string, key: string) =>
    new TransferMetadataError(
      `${where} line ${line}: links to ${what} ${JSON.stringify(key.split("\u0000")[1])} (type ${JSON.stringify(key.split("\u0000")[0])}), which premis.xml does not hold`,
    );
  for (const object of doc.objects) {
    const own = keyOf(object.identifiers[0]!);
    for (const key of object.events) {
      const event = events.get(key);
      if (!event) throw missing(object.line, "premis:event", key);
      if (!event.objects.some((k) => objects.get(k) === object)) event.objects.push(own);
    }
    for (const key of object.rights) {
      const statement = rights.get(key);
      if (!statement) throw missing(object.line, "premis:rightsStatement", key);
      if (!statement.objects.some((k) => objects.get(k) === object)) statement.objects.push(own);
    }
  }
  for (const { event: key, agent, line } of agentLinks) {
    const event = events.get(key);
    if (!event) throw missing(line, "premis:event", key);
    if (!event.agents.includes(agent)) event.agents.push(agent);
  }
  for (const event of doc.events) {
    for (const key of event.objects) if (!objects.has(key)) throw missing(event.line, "premis:object", key);
    for (const key of event.agents) if (!agents.has(key)) throw missing(event.line, "premis:agent", key);
    // Archivematica fails the import for an event that describes no file: it would be lost.
    if (event.objects.length === 0)
      throw new TransferMetadataError(
        `${where} line ${event.line}: ${describe("event", event.identifier)} is linked to no premis:object (a file of the transfer)`,
      );
  }
  for (const statement of doc.rights) {
    for (const key of statement.objects)
      if (!objects.has(key)) throw missing(statement.line, "premis:object", key);
  }
}

/** Finds an object by any of its identifiers. */
export function objectIndex(doc: PremisDocument): Map<string, PremisObject> {
  const index = new Map<string, PremisObject>();
  for (const object of doc.objects) for (const id of object.identifiers) index.set(keyOf(id), object);
  return index;
}

function parseTree(xml: string, where: string): Node | null {
  let root: Node | null = null;
  const open: Node[] = [];
  try {
    scanXml(xml, {
      start(tag) {
        const node: Node = {
          local: tag.ns === PREMIS_NS ? tag.local : `{${tag.ns}}${tag.local}`,
          line: lineAt(xml, tag.offset),
          type: tag.attrs.find((a) => a.ns === XSI_NS && a.local === "type")?.value,
          children: [],
          text: "",
        };
        const parent = open[open.length - 1];
        if (parent) parent.children.push(node);
        else root ??= node;
        open.push(node);
      },
      end() {
        open.pop();
      },
      text(value) {
        const node = open[open.length - 1];
        if (node) node.text += value;
      },
    });
  } catch (error) {
    throw new TransferMetadataError(`${where}: not well-formed XML (${(error as Error).message})`);
  }
  return root;
}

/** The nodes at a path of child names below `node`. */
function all(node: Node, ...path: string[]): Node[] {
  let level = [node];
  for (const name of path) level = level.flatMap((n) => n.children.filter((c) => c.local === name));
  return level;
}

export function first(node: Node, ...path: string[]): Node | undefined {
  return all(node, ...path)[0];
}

/** The trimmed text of the first node at the path, or undefined when absent or empty. */
export function text(node: Node, ...path: string[]): string | undefined {
  const value = first(node, ...path)?.text.trim();
  return value ? value : undefined;
}

export function texts(node: Node, ...path: string[]): string[] {
  return all(node, ...path)
    .map((n) => n.text.trim())
    .filter(Boolean);
}

function identifierOf(node: Node | undefined, kind: string, where: string): PremisIdentifier {
  const type = node ? text(node, `${kind}IdentifierType`) : undefined;
  const value = node ? text(node, `${kind}IdentifierValue`) : undefined;
  if (!type || !value)
    throw new TransferMetadataError(
      `${where}: premis:${kind} needs a premis:${kind}Identifier with its type and value (they link the entities)`,
    );
  return { type, value };
}

/** Keys of the linking identifiers named `element` (their children are `<prefix>Type` and `<prefix>Value`). */
function links(node: Node, element: string, prefix: string): string[] {
  return all(node, element).map((link) =>
    keyOf({ type: text(link, `${prefix}Type`) ?? "", value: text(link, `${prefix}Value`) ?? "" }),
  );
}

function prune<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

export type { Node as PremisNode };
