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
import { namedTargetResolver, namesResolvedBy, type TargetResolver } from "./targets.ts";

export { TransferMetadataError } from "./errors.ts";
export { namedTargetResolver, type TargetResolver, targetResolver } from "./targets.ts";

/**
 * The unit's files as the metadata files need them, asked by name, never listed whole (issue 16).
 * Access copies are left out: they are not in the METS.
 */
export interface TransferFileLookup {
  /** Files at these paths (a page at most), removed ones too, by path then id as filePages. */
  filesAt(paths: string[]): Promise<FileRecord[]>;
  /** The originals a page of names may mean (StoreReader.originalsNamedBy). */
  originalsNamedBy(names: string[]): Promise<FileRecord[]>;
  pageSize: number;
}

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
  lookup: TransferFileLookup,
): Promise<TransferMetadata> {
  const result: TransferMetadata = {
    dublinCore: [],
    archival: {},
    provenance: { events: [], agents: [] },
    read: [],
  };
  /**
   * Parses the metadata file `name` (metadata/ in a transfer, objects/metadata/ in a SIP), with the
   * names it uses resolved, and `named` the files at the paths they resolve to.
   */
  const read = async <T>(
    name: string,
    parse: (text: string, where: string, resolve: TargetResolver, named: readonly FileRecord[]) => T,
  ): Promise<T | undefined> => {
    const file = await metadataFile(lookup, name);
    if (!file) return undefined;
    const text = await readFile(path.join(unitPath, ...file.path.split("/")), "utf8");
    result.read.push(file.path);
    const names = namesResolvedBy((collect) => parse(text, file.path, collect, []));
    const resolve = await namedTargetResolver(names, lookup.originalsNamedBy, lookup.pageSize);
    return parse(text, file.path, resolve, await filesNamed(names, resolve, lookup));
  };
  result.dublinCore = (await read("metadata.json", dublinCoreFromJson)) ?? [];
  const rights = await read("rights.csv", (text, where, r) => rightsFromCsv(text, where, r, unitId));
  const identifiers = await read("identifiers.json", identifiersFromJson);
  const labels = await read("file_labels.csv", labelsFromCsv);
  const logicalStructMap = await read("mets_structmap.xml", structMapFromXml);
  const provenance = await read("premis.xml", (text, where, r, files) =>
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

/** The unit's metadata file `name`: in metadata/ in a transfer, in objects/metadata/ in a SIP. */
export async function metadataFile(
  lookup: TransferFileLookup,
  name: string,
): Promise<FileRecord | undefined> {
  const [file] = (await lookup.filesAt([`metadata/${name}`, `objects/metadata/${name}`])).filter(
    (f) => !f.removed,
  );
  return file;
}

/** The files at the paths `names` resolve to (those that resolve), a page of paths at a time. */
async function filesNamed(
  names: readonly string[],
  resolve: TargetResolver,
  lookup: TransferFileLookup,
): Promise<FileRecord[]> {
  const paths = [
    ...new Set(
      names.flatMap((name) => {
        try {
          return [resolve(name, "")];
        } catch {
          return []; // refused again, naming where, when the file is parsed
        }
      }),
    ),
  ];
  const files: FileRecord[] = [];
  for (let start = 0; start < paths.length; start += lookup.pageSize)
    files.push(...(await lookup.filesAt(paths.slice(start, start + lookup.pageSize))));
  return files;
}
