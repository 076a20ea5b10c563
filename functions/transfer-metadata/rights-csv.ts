/**
 * metadata/rights.csv as Archivematica documents it: one row per rights statement (one act), columns
 * file, basis, status, determination_date, jurisdiction, start_date, end_date, terms, citation, note,
 * grant_act, grant_restriction, grant_start_date, grant_end_date, grant_note, doc_id_type,
 * doc_id_value, doc_id_role. "open" as an end date means no end.
 */
import type { RightsBasis, RightsStatementInput } from "../mets/rights.ts";
import { parseCsv } from "../tasks/metadata-csv.ts";
import { TransferMetadataError } from "./errors.ts";
import { derivedUuid } from "./ids.ts";
import type { TargetResolver } from "./targets.ts";

const BASES: Record<string, RightsBasis> = {
  copyright: "Copyright",
  statute: "Statute",
  license: "License",
  licence: "License",
  donor: "Donor",
  policy: "Policy",
  other: "Other",
};

export function rightsFromCsv(
  text: string,
  where: string,
  resolve: TargetResolver,
  unitId: string,
): RightsStatementInput[] {
  const rows = parseCsv(text, where);
  const header = (rows[0] ?? []).map((name) => name.trim().toLowerCase());
  for (const required of ["file", "basis"]) {
    if (!header.includes(required)) {
      throw new TransferMetadataError(`${where} line 1: the "${required}" column is missing`);
    }
  }
  return rows.slice(1).map((row, index) => {
    const line = index + 2;
    const at = `${where} line ${line}`;
    const cell = (name: string): string | undefined => {
      const value = row[header.indexOf(name)]?.trim();
      return value === undefined || value === "" ? undefined : value;
    };
    const basisName = cell("basis")?.toLowerCase() ?? "";
    const basis = BASES[basisName];
    if (!basis) {
      throw new TransferMetadataError(
        `${at}: basis ${JSON.stringify(cell("basis") ?? "")} is not one of copyright, statute, license, donor, policy, other`,
      );
    }
    const date = (name: string) => {
      const value = cell(name);
      return value?.toLowerCase() === "open" ? "OPEN" : value;
    };
    const docType = cell("doc_id_type");
    const docValue = cell("doc_id_value");
    const role = cell("doc_id_role");
    return prune({
      id: derivedUuid(unitId, `rights.csv ${line}`),
      target: resolve(cell("file") ?? "objects", at),
      basis,
      status: cell("status"),
      determinationDate: cell("determination_date"),
      jurisdiction: cell("jurisdiction"),
      startDate: date("start_date"),
      endDate: date("end_date"),
      terms: cell("terms"),
      citation: cell("citation"),
      note: cell("note"),
      act: cell("grant_act"),
      restrictions: (cell("grant_restriction") ?? "")
        .split(/[|;]/)
        .map((r) => r.trim())
        .filter(Boolean),
      grantStartDate: date("grant_start_date"),
      grantEndDate: date("grant_end_date"),
      grantNote: cell("grant_note"),
      documentation:
        docType || docValue
          ? { type: docType ?? "", value: docValue ?? "", ...(role ? { role } : {}) }
          : undefined,
    });
  });
}

/** Drops undefined fields (exactOptionalPropertyTypes). */
function prune<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
