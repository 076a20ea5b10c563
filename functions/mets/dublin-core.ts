/**
 * Dublin Core dmdSecs, as Archivematica writes metadata.csv rows: a dcterms:dublincore wrapper
 * holding dc:* elements (the 15 simple elements, in their standard order) and dcterms:* refinements.
 */
import { compareCodePoints } from "./characteristics.ts";
import { type DublinCoreEntry, MetsInputError } from "./input.ts";
import type { XmlWriter } from "./xml-writer.ts";

export const DC_NS = "http://purl.org/dc/elements/1.1/";
export const DCTERMS_NS = "http://purl.org/dc/terms/";
const DCTERMS_SCHEMA = "https://dublincore.org/schemas/xmls/qdc/2008/02/11/dcterms.xsd";

const DC_ELEMENTS = [
  "title",
  "creator",
  "subject",
  "description",
  "publisher",
  "contributor",
  "date",
  "type",
  "format",
  "identifier",
  "source",
  "language",
  "relation",
  "coverage",
  "rights",
] as const;

export interface DublinCoreSection {
  /** The structMap path it describes ("objects", "objects/a/b.txt"). */
  target: string;
  /** Qualified element name (dc:title, dcterms:isPartOf) -> values, in writing order. */
  elements: Array<[string, string[]]>;
}

/**
 * Checks and orders the entries. The external identifier, when given, becomes dc:identifier of the
 * "objects" entry (Wellcome's metadata.csv convention: `objects/,<catalogue reference>`).
 */
export function prepareDublinCore(
  entries: readonly DublinCoreEntry[],
  externalIdentifier: string | undefined,
): DublinCoreSection[] {
  const sections = entries.map((entry, index) => ({ index, section: toSection(entry) }));
  if (externalIdentifier !== undefined) {
    let objects = sections.find(({ section }) => section.target === "objects");
    if (!objects) {
      objects = { index: sections.length, section: toSection({ target: "objects", fields: {} }) };
      sections.push(objects);
    }
    addValue(objects.section, "dc:identifier", externalIdentifier);
  }
  sections.sort((a, b) => compareCodePoints(a.section.target, b.section.target) || a.index - b.index);
  return sections.map(({ section }) => section);
}

function addValue(section: DublinCoreSection, element: string, value: string): void {
  const existing = section.elements.find(([name]) => name === element);
  if (!existing) section.elements.push([element, [value]]);
  else if (!existing[1].includes(value)) existing[1].push(value);
  section.elements.sort(([a], [b]) => elementRank(a) - elementRank(b) || compareCodePoints(a, b));
}

function toSection(entry: DublinCoreEntry): DublinCoreSection {
  const target = entry.target.replace(/\/+$/, "");
  if (target !== "objects" && !target.startsWith("objects/")) {
    throw new MetsInputError(
      `dublinCore target ${JSON.stringify(entry.target)} is not "objects" or under it`,
    );
  }
  const elements: Array<[string, string[]]> = [];
  for (const [key, values] of Object.entries(entry.fields)) {
    const qualified = qualifiedName(key, entry.target);
    if (!Array.isArray(values) || values.some((v) => typeof v !== "string")) {
      throw new MetsInputError(`dublinCore ${entry.target}: ${key} must be a list of strings`);
    }
    if (elements.some(([name]) => name === qualified)) {
      throw new MetsInputError(`dublinCore ${entry.target}: ${qualified} is given twice`);
    }
    elements.push([qualified, [...values]]);
  }
  elements.sort(([a], [b]) => elementRank(a) - elementRank(b) || compareCodePoints(a, b));
  return { target, elements };
}

function qualifiedName(key: string, target: string): string {
  if (key.startsWith("dcterms.")) {
    const local = key.slice("dcterms.".length);
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(local)) {
      throw new MetsInputError(`dublinCore ${target}: ${JSON.stringify(key)} is not a DC Terms element`);
    }
    return "dcterms:" + local;
  }
  const local = key.startsWith("dc.") ? key.slice(3) : key;
  if (!(DC_ELEMENTS as readonly string[]).includes(local)) {
    throw new MetsInputError(
      `dublinCore ${target}: ${JSON.stringify(key)} is not a Dublin Core element (${DC_ELEMENTS.join(", ")})`,
    );
  }
  return "dc:" + local;
}

function elementRank(qualified: string): number {
  const index = (DC_ELEMENTS as readonly string[]).indexOf(qualified.slice(3));
  return qualified.startsWith("dc:") && index >= 0 ? index : DC_ELEMENTS.length;
}

export function writeDublinCore(w: XmlWriter, section: DublinCoreSection): void {
  w.open("dcterms:dublincore", [
    ["xmlns:dc", DC_NS],
    ["xmlns:dcterms", DCTERMS_NS],
    ["xsi:schemaLocation", `${DCTERMS_NS} ${DCTERMS_SCHEMA}`],
  ]);
  for (const [name, values] of section.elements) {
    for (const value of values) w.leaf(name, value);
  }
  w.close("dcterms:dublincore");
}
