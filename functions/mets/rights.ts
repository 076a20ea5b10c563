/**
 * PREMIS 3 rights statements (rightsMD), as Archivematica writes the rows of metadata/rights.csv:
 * one premis:rightsStatement per row and file, in the amdSec of every file the row applies to.
 */
import type { XmlWriter } from "./xml-writer.ts";

export type RightsBasis = "Copyright" | "Statute" | "License" | "Donor" | "Policy" | "Other";

export interface RightsStatementInput {
  /** Deterministic id of the statement (a UUID), unique per row. */
  id: string;
  /** "objects" for the whole package, or a folder or file under objects/. */
  target: string;
  basis: RightsBasis;
  /** Copyright status (copyright), or the other basis's name (other). */
  status?: string;
  determinationDate?: string;
  jurisdiction?: string;
  startDate?: string;
  /** An end date, or "OPEN" for no end. */
  endDate?: string;
  /** License terms (license). */
  terms?: string;
  /** Statute citation (statute). */
  citation?: string;
  note?: string;
  act?: string;
  restrictions: string[];
  grantStartDate?: string;
  grantEndDate?: string;
  grantNote?: string;
  documentation?: { type: string; value: string; role?: string };
}

/** Whether a statement for `target` applies to the file at `href` (the package, a folder, the file). */
export function rightsApplyTo(target: string, href: string): boolean {
  return target === "objects" || href === target || href.startsWith(`${target}/`);
}

export function writeRightsStatement(w: XmlWriter, rights: RightsStatementInput, fileId: string): void {
  w.open("premis:rightsStatement");
  pair(w, "rightsStatementIdentifier", "UUID", rights.id);
  const premisBasis = rights.basis === "Donor" || rights.basis === "Policy" ? "Other" : rights.basis;
  w.leaf("premis:rightsBasis", premisBasis);
  const dates = (element: string) => applicableDates(w, element, rights.startDate, rights.endDate);
  const doc = (prefix: string) => documentation(w, prefix, rights.documentation);
  if (rights.basis === "Copyright") {
    w.open("premis:copyrightInformation");
    w.leaf("premis:copyrightStatus", rights.status ?? "unknown");
    w.leaf("premis:copyrightJurisdiction", rights.jurisdiction ?? "");
    optional(w, "premis:copyrightStatusDeterminationDate", rights.determinationDate);
    optional(w, "premis:copyrightNote", rights.note);
    doc("copyright");
    dates("premis:copyrightApplicableDates");
    w.close("premis:copyrightInformation");
  } else if (rights.basis === "License") {
    w.open("premis:licenseInformation");
    doc("license");
    // licenseInformation is a choice that needs one of: documentation, terms, notes or dates.
    const needsTerms = !rights.documentation && !rights.note && !rights.startDate;
    if (rights.terms !== undefined || needsTerms) w.leaf("premis:licenseTerms", rights.terms ?? "");
    optional(w, "premis:licenseNote", rights.note);
    dates("premis:licenseApplicableDates");
    w.close("premis:licenseInformation");
  } else if (rights.basis === "Statute") {
    w.open("premis:statuteInformation");
    w.leaf("premis:statuteJurisdiction", rights.jurisdiction ?? "");
    w.leaf("premis:statuteCitation", rights.citation ?? "");
    optional(w, "premis:statuteInformationDeterminationDate", rights.determinationDate);
    optional(w, "premis:statuteNote", rights.note);
    doc("statute");
    dates("premis:statuteApplicableDates");
    w.close("premis:statuteInformation");
  } else {
    w.open("premis:otherRightsInformation");
    doc("otherRights");
    w.leaf("premis:otherRightsBasis", rights.basis === "Other" ? (rights.status ?? "Other") : rights.basis);
    dates("premis:otherRightsApplicableDates");
    optional(w, "premis:otherRightsNote", rights.note);
    w.close("premis:otherRightsInformation");
  }
  if (rights.act !== undefined) {
    w.open("premis:rightsGranted");
    w.leaf("premis:act", rights.act);
    for (const restriction of rights.restrictions) w.leaf("premis:restriction", restriction);
    applicableDates(w, "premis:termOfGrant", rights.grantStartDate, rights.grantEndDate);
    optional(w, "premis:rightsGrantedNote", rights.grantNote);
    w.close("premis:rightsGranted");
  }
  pair(w, "linkingObjectIdentifier", "UUID", fileId);
  w.close("premis:rightsStatement");
}

function applicableDates(w: XmlWriter, element: string, start?: string, end?: string): void {
  if (start === undefined && end === undefined) return;
  w.open(element);
  w.leaf("premis:startDate", start ?? "");
  optional(w, "premis:endDate", end);
  w.close(element);
}

function documentation(w: XmlWriter, prefix: string, doc: RightsStatementInput["documentation"]): void {
  if (!doc) return;
  const element = `premis:${prefix}DocumentationIdentifier`;
  w.open(element);
  w.leaf(`${element}Type`, doc.type);
  w.leaf(`${element}Value`, doc.value);
  optional(w, `premis:${prefix}DocumentationRole`, doc.role);
  w.close(element);
}

function pair(w: XmlWriter, element: string, type: string, value: string): void {
  w.open(`premis:${element}`);
  w.leaf(`premis:${element}Type`, type);
  w.leaf(`premis:${element}Value`, value);
  w.close(`premis:${element}`);
}

function optional(w: XmlWriter, element: string, value: string | undefined): void {
  if (value !== undefined && value !== "") w.leaf(element, value);
}
