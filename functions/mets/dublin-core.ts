/**
 * Dublin Core dmdSecs, as Archivematica writes metadata.csv rows: a dcterms:dublincore wrapper
 * holding dc:* elements (the 15 simple elements, in their standard order) and dcterms:* terms. A
 * column that is neither goes, as in Archivematica, to an OTHER (CUSTOM) dmdSec instead of failing.
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

/** The DCMI Metadata Terms properties (purl.org/dc/terms/), so "dc.provenance" can be told from a typo. */
const DCMI_TERMS = new Set(
  (
    "abstract accessRights accrualMethod accrualPeriodicity accrualPolicy alternative audience available " +
    "bibliographicCitation conformsTo contributor coverage created creator date dateAccepted dateCopyrighted " +
    "dateSubmitted description educationLevel extent format hasFormat hasPart hasVersion identifier " +
    "instructionalMethod isFormatOf isPartOf isReferencedBy isReplacedBy isRequiredBy issued isVersionOf " +
    "language license mediator medium modified provenance publisher references relation replaces requires " +
    "rights rightsHolder source spatial subject tableOfContents temporal title type valid"
  ).split(" "),
);

export interface DublinCoreSection {
  /** The structMap path it describes ("objects", "objects/a/b.txt"). */
  target: string;
  /** Qualified element name (dc:title, dcterms:isPartOf) -> values, in writing order. */
  elements: Array<[string, string[]]>;
  /** Columns that are not Dublin Core: XML element name -> values, for an OTHER dmdSec. */
  other: Array<[string, string[]]>;
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
  const other: Array<[string, string[]]> = [];
  for (const [key, values] of Object.entries(entry.fields)) {
    if (!Array.isArray(values) || values.some((v) => typeof v !== "string")) {
      throw new MetsInputError(`dublinCore ${entry.target}: ${key} must be a list of strings`);
    }
    const qualified = qualifiedName(key);
    const list = qualified ? elements : other;
    const name = qualified ?? otherElementName(key);
    const existing = list.find(([n]) => n === name);
    if (existing) existing[1].push(...values);
    else list.push([name, [...values]]);
  }
  elements.sort(([a], [b]) => elementRank(a) - elementRank(b) || compareCodePoints(a, b));
  return { target, elements, other };
}

/**
 * dc.<element> of the 15 simple elements → dc:<element>; dc.<term> or dcterms.<term> of the DCMI
 * Terms → dcterms:<term>; a bare element name → dc:<element>; anything else → null (OTHER).
 */
export function qualifiedName(key: string): string | null {
  const match = /^(?:(dc|dcterms)\.)?([A-Za-z][A-Za-z0-9]*)$/.exec(key.trim());
  if (!match) return null;
  const [, prefix, local] = match as unknown as [string, string | undefined, string];
  if (prefix !== "dcterms" && (DC_ELEMENTS as readonly string[]).includes(local)) return "dc:" + local;
  if (prefix !== undefined && DCMI_TERMS.has(local)) return "dcterms:" + local;
  return null;
}

/** A column name made into an XML element name (Archivematica normalizes them the same way). */
function otherElementName(key: string): string {
  const name = key.trim().replace(/[^A-Za-z0-9_.-]/g, "_");
  return /^[A-Za-z_]/.test(name) ? name : `_${name}`;
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

/** The non-Dublin Core columns of a row, as Archivematica's OTHER (CUSTOM) dmdSec holds them. */
export function writeOtherMetadata(w: XmlWriter, section: DublinCoreSection): void {
  for (const [name, values] of section.other) {
    for (const value of values) w.leaf(name, value);
  }
}
