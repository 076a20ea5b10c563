import type { SqlClient } from "../ports/sql.ts";
import { NOT_PERFORMED_WITH_REAL_SIGNATURES } from "../tools/clamav-databases.ts";

/**
 * What a unit's "virus check" events amount to, for `stepmatica status` and the dashboard: how many
 * files were checked with the official signatures, and how many were scanned with the project's test
 * signatures only (no real virus could have been found: the check was not performed for real).
 */
export interface VirusCheckSummary {
  /** Files with a virus check event. */
  files: number;
  /** Files checked with official signatures (clean, infected or not scannable). */
  withRealSignatures: number;
  /** Files scanned with the test signatures only. */
  testSignaturesOnly: number;
  /** False when any file of the unit was scanned with the test signatures only. */
  performedWithRealSignatures: boolean;
}

export async function virusCheckSummary(sql: SqlClient, unitIds: string[]): Promise<VirusCheckSummary> {
  const { rows } = await sql.query<{ files: number; test_only: number }>(
    `select count(distinct file_id)::int as files,
       count(distinct file_id) filter (where outcome_detail like $2)::int as test_only
     from events where type = 'virus check'
       and unit_id = any(array(select jsonb_array_elements_text($1::jsonb)::uuid))`,
    [JSON.stringify(unitIds), `${NOT_PERFORMED_WITH_REAL_SIGNATURES}%`],
  );
  const files = Number(rows[0]?.files ?? 0);
  const testSignaturesOnly = Number(rows[0]?.test_only ?? 0);
  return {
    files,
    withRealSignatures: files - testSignaturesOnly,
    testSignaturesOnly,
    performedWithRealSignatures: testSignaturesOnly === 0,
  };
}

/** One line for `status`, or null when the unit has no virus check events. */
export function describeVirusChecks(summary: VirusCheckSummary): string | null {
  if (summary.files === 0) return null;
  if (summary.testSignaturesOnly === 0)
    return `virus checks: ${summary.files} file(s) checked with the official ClamAV signatures`;
  return `virus checks: NOT PERFORMED WITH REAL SIGNATURES for ${summary.testSignaturesOnly} of ${summary.files} file(s) (only the stepmatica test signatures were loaded; real viruses are not detected)`;
}
