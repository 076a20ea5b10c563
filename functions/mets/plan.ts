/**
 * Everything the document numbers or checks before its first byte: the package's fields, the
 * dmdSecs, and the paths the depositor's metadata names, looked up in the source (a page of paths
 * at a time) rather than in a set of every path of the package.
 */
import type { AgentRecord, EventRecord } from "../core/model.ts";
import { type PreparedArchival, pathsNamedBy, prepareArchival } from "./archival.ts";
import { prepareDublinCore } from "./dublin-core.ts";
import { checkHeader, indexAgents, indexEvents, type MetsHeader, MetsInputError } from "./input.ts";
import type { MetsFileSource } from "./source.ts";
import { allOf, type Steps } from "./steps.ts";
import { XmlWriter } from "./xml-writer.ts";

export interface MetsPlan {
  header: MetsHeader;
  w: XmlWriter;
  packageLabel: string;
  agentById: Map<string, AgentRecord>;
  unitEvents: EventRecord[];
  dmdIdsOf: Map<string, string[]>;
  archival: PreparedArchival;
  descriptive: Array<{
    id: string;
    kind: "DC" | "OTHER";
    section: ReturnType<typeof prepareDublinCore>[number];
  }>;
  folderEntities: Array<{
    id: string;
    target: string;
    identifiers: ReturnType<PreparedArchival["identifiersOf"]>;
  }>;
  packageAmdSecId: string | undefined;
  counters: { techMD: number; rightsMD: number; digiprovMD: number };
}

/** Checks the package's fields and what its metadata names, and numbers every section. */
export function* planMets(
  header: MetsHeader,
  source: MetsFileSource,
  pageSize: number,
  sink: (chunk: string) => void,
): Steps<MetsPlan> {
  checkHeader(header);
  if (header.events.some((event) => event.fileId !== null))
    throw new MetsInputError(
      "the paged writer takes the unit's own events only; file events come from pages",
    );
  const agentById = indexAgents(header.agents);
  const { unitEvents } = indexEvents({ fileIds: new Set(), agentById }, header.events);
  const packageLabel = `${header.name}-${header.objectId}`;
  const dublinCore = prepareDublinCore(header.dublinCore ?? [], header.externalIdentifier);
  const inPackage = yield* lookUpPaths(
    source,
    [...dublinCore.map(({ target }) => target), ...pathsNamedBy(header.archival)],
    pageSize,
  );

  // dmdSec_1 is the package (PREMIS intellectual entity); Dublin Core (and OTHER) sections follow.
  const dmdIdsOf = new Map<string, string[]>([["", ["dmdSec_1"]]]);
  const archival = prepareArchival(header.archival, inPackage);
  const descriptive: MetsPlan["descriptive"] = [];
  for (const section of dublinCore) {
    if (!inPackage.paths.has(section.target)) {
      throw new MetsInputError(`dublinCore target ${section.target} is not a folder or file in the package`);
    }
    const kinds = [
      ...(section.elements.length > 0 ? (["DC"] as const) : []),
      ...(section.other.length > 0 ? (["OTHER"] as const) : []),
    ];
    for (const kind of kinds) {
      const id = `dmdSec_${descriptive.length + 2}`;
      descriptive.push({ id, kind, section });
      dmdIdsOf.set(section.target, [...(dmdIdsOf.get(section.target) ?? []), id]);
    }
  }

  // Folders that metadata/identifiers.json names get a PREMIS intellectual entity of their own.
  const folderEntities = archival.folderIdentifiers.map(([target, identifiers], index) => {
    const id = `dmdSec_${descriptive.length + 2 + index}`;
    dmdIdsOf.set(target, [...(dmdIdsOf.get(target) ?? []), id]);
    return { id, target, identifiers };
  });

  return {
    header,
    w: new XmlWriter(sink),
    packageLabel,
    agentById,
    unitEvents,
    dmdIdsOf,
    archival,
    descriptive,
    folderEntities,
    packageAmdSecId: unitEvents.length > 0 ? "amdSec_1" : undefined,
    counters: { techMD: 0, rightsMD: 0, digiprovMD: 0 },
  };
}

/** A file's amdSec: its rank among the files by href, after the package's own amdSec if it has one. */
export function amdSecIdOf(plan: MetsPlan, rank: number): string {
  return `amdSec_${rank + (plan.packageAmdSecId ? 2 : 1)}`;
}

/**
 * Which of `named` are paths of the package (the root "", objects/, a folder or a file still
 * present) and which are files, asked a page of paths at a time.
 */
function* lookUpPaths(
  source: MetsFileSource,
  named: readonly string[],
  pageSize: number,
): Steps<{ paths: Set<string>; fileIdOfHref: Map<string, string> }> {
  const paths = new Set(["", "objects"]);
  const fileIdOfHref = new Map<string, string>();
  const asked = [...new Set(named)].filter((path) => !paths.has(path));
  for (let start = 0; start < asked.length; start += pageSize) {
    const page = asked.slice(start, start + pageSize);
    const [files, folders] = yield* allOf(source.presentAt(page), source.foldersAmong(page));
    for (const { file, href } of files) {
      paths.add(href);
      fileIdOfHref.set(href, file.id);
    }
    for (const folder of folders) paths.add(folder);
  }
  return { paths, fileIdOfHref };
}
