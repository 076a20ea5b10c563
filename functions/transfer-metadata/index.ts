/**
 * The files of a transfer's metadata/ folder that Archivematica reads, besides metadata.csv:
 * metadata.json, rights.csv, identifiers.json, file_labels.csv, mets_structmap.xml and premis.xml. Read from
 * the unit (metadata/ in a transfer, objects/metadata/ in a SIP) for the METS.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { FileRecord } from "../core/model.ts";
import type { DublinCoreEntry } from "../mets/index.ts";
import type { ArchivalMetadata } from "../mets/input.ts";
import { labelsFromCsv } from "./file-labels.ts";
import { identifiersFromJson } from "./identifiers-json.ts";
import { dublinCoreFromJson } from "./metadata-json.ts";
import { type ImportedProvenance, provenanceFromPremis } from "./premis-xml.ts";
import { rightsFromCsv } from "./rights-csv.ts";
import { structMapFromXml } from "./structmap-xml.ts";
import { type TargetResolver, targetResolver } from "./targets.ts";

export { TransferMetadataError } from "./errors.ts";
export { type TargetResolver, targetResolver } from "./targets.ts";

export interface TransferMetadata {
  dublinCore: DublinCoreEntry[];
  archival: ArchivalMetadata;
  /** Events and agents from metadata/premis.xml, for the files they describe. */
  provenance: Pick<ImportedProvenance, "events" | "agents">;
  /** The metadata files read, for the run's output. */
  read: string[];
}

export async function readTransferMetadata(
  unitPath: string,
  unitId: string,
  files: readonly FileRecord[],
): Promise<TransferMetadata> {
  const resolve = targetResolver(files);
  const result: TransferMetadata = {
    dublinCore: [],
    archival: {},
    provenance: { events: [], agents: [] },
    read: [],
  };
  const read = async <T>(
    name: string,
    parse: (text: string, where: string, resolve: TargetResolver) => T,
  ): Promise<T | undefined> => {
    const file = files.find((f) => !f.removed && f.path.replace(/^objects\//, "") === `metadata/${name}`);
    if (!file) return undefined;
    const text = await readFile(path.join(unitPath, ...file.path.split("/")), "utf8");
    result.read.push(file.path);
    return parse(text, file.path, resolve);
  };
  result.dublinCore = (await read("metadata.json", dublinCoreFromJson)) ?? [];
  const rights = await read("rights.csv", (text, where, r) => rightsFromCsv(text, where, r, unitId));
  const identifiers = await read("identifiers.json", identifiersFromJson);
  const labels = await read("file_labels.csv", labelsFromCsv);
  const logicalStructMap = await read("mets_structmap.xml", structMapFromXml);
  const provenance = await read("premis.xml", (text, where, r) =>
    provenanceFromPremis(text, where, r, { unitId, files }),
  );
  if (provenance) result.provenance = { events: provenance.events, agents: provenance.agents };
  // Rights from rights.csv and from premis.xml both become rightsMD of the files they name.
  const allRights = [...(rights ?? []), ...(provenance?.rights ?? [])];
  result.archival = {
    ...(allRights.length > 0 ? { rights: allRights } : {}),
    ...(provenance && provenance.characteristics.length > 0
      ? { characteristics: provenance.characteristics }
      : {}),
    ...(identifiers ? { identifiers } : {}),
    ...(labels ? { labels } : {}),
    ...(logicalStructMap ? { logicalStructMap } : {}),
  };
  return result;
}
