/**
 * metadata/identifiers.json (Archivematica 1.13+): a list of {"file": "objects/…", "identifiers":
 * [{"identifier": "…", "identifierType": "…"}]}; "objects" names the whole package.
 */
import type { ExtraIdentifier } from "../mets/logical.ts";
import { TransferMetadataError } from "./errors.ts";
import { parseJsonList } from "./json-list.ts";
import type { TargetResolver } from "./targets.ts";

export function identifiersFromJson(
  text: string,
  where: string,
  resolve: TargetResolver,
): Array<{ target: string; identifiers: ExtraIdentifier[] }> {
  return parseJsonList(text, where).map((item, index) => {
    const at = `${where} item ${index + 1}`;
    const record = (typeof item === "object" && item !== null ? item : {}) as Record<string, unknown>;
    if (typeof record.file !== "string") throw new TransferMetadataError(`${at}: "file" is missing`);
    if (!Array.isArray(record.identifiers))
      throw new TransferMetadataError(`${at}: "identifiers" must be a list`);
    const identifiers = record.identifiers.map((entry: unknown, n: number) => {
      const id = (typeof entry === "object" && entry !== null ? entry : {}) as Record<string, unknown>;
      if (typeof id.identifier !== "string" || typeof id.identifierType !== "string") {
        throw new TransferMetadataError(
          `${at} identifier ${n + 1}: needs "identifier" and "identifierType" strings`,
        );
      }
      return { type: id.identifierType, value: id.identifier };
    });
    return { target: resolve(record.file, at), identifiers };
  });
}
