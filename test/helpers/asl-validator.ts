/**
 * asl-validator (npm, pinned), typed: JSON-schema and graph checks of a States Language definition
 * written by others. It ships no type declarations and mutates its argument, hence this wrapper.
 */
import { createRequire } from "node:module";

export interface AslValidatorError {
  "Error code": string;
  Message: string;
  path?: string;
}

type Validate = (
  definition: unknown,
  options?: { checkPaths?: boolean; checkArn?: boolean },
) => { isValid: boolean; errors: AslValidatorError[] };

const validate = createRequire(import.meta.url)("asl-validator") as Validate;

/** The problems asl-validator finds in a definition (empty when it accepts it). */
export function aslValidatorProblems(definition: unknown): string[] {
  const result = validate(structuredClone(definition), { checkPaths: true, checkArn: true });
  return result.isValid ? [] : result.errors.map((e) => `${e["Error code"]}: ${e.Message} ${e.path ?? ""}`);
}
