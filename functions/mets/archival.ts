/**
 * Checks and indexes the archival metadata (rights, identifiers, labels, custom structMap) before a
 * byte is written: a reference to a path that is not in the package is a MetsInputError naming it.
 */
import {
  type ArchivalMetadata,
  type DepositorCharacteristics,
  type MetsFileEntry,
  MetsInputError,
} from "./input.ts";
import { type ExtraIdentifier, type LogicalDiv, missingFromLogicalStructMap } from "./logical.ts";
import { type RightsStatementInput, rightsApplyTo } from "./rights.ts";

export interface PreparedArchival {
  identifiersOf(target: string): ExtraIdentifier[];
  /** Folders (not the package, not files) with identifiers, by path. */
  folderIdentifiers: Array<[string, ExtraIdentifier[]]>;
  /** Rights statements for a file: rights apply to the originals they name (or their folders). */
  rightsOf(entry: MetsFileEntry): RightsStatementInput[];
  labels: Map<string, string>;
  /** The files the logical structMap names, by href. */
  fileIdOfHref: Map<string, string>;
  /** The depositor's formats and checksums for an original file. */
  depositorCharacteristicsOf(entry: MetsFileEntry): DepositorCharacteristics | undefined;
}

/** The paths the archival metadata names, as prepareArchival checks them: these are looked up. */
export function pathsNamedBy(archival: ArchivalMetadata = {}): string[] {
  const targets = [
    ...(archival.identifiers ?? []),
    ...(archival.rights ?? []),
    ...(archival.labels ?? []),
    ...(archival.characteristics ?? []),
  ].map(({ target }) => target.replace(/\/+$/, ""));
  const hrefs: string[] = [];
  const visit = (div: LogicalDiv): void => {
    hrefs.push(...div.files);
    for (const child of div.children) visit(child);
  };
  for (const div of archival.logicalStructMap?.divs ?? []) visit(div);
  return [...targets, ...hrefs];
}

/**
 * `inPackage` holds what the package has among pathsNamedBy's paths: which are its folders or files
 * (`paths`) and which of those are files still present (`fileIdOfHref`).
 */
export function prepareArchival(
  archival: ArchivalMetadata = {},
  inPackage: { paths: ReadonlySet<string>; fileIdOfHref: Map<string, string> },
): PreparedArchival {
  const { paths, fileIdOfHref } = inPackage;
  const known = (target: string, what: string): string => {
    const clean = target.replace(/\/+$/, "");
    if (!paths.has(clean))
      throw new MetsInputError(`${what}: ${clean} is not a folder or file in the package`);
    return clean;
  };

  const identifiers = new Map<string, ExtraIdentifier[]>();
  for (const entry of archival.identifiers ?? []) {
    const target = known(entry.target, "identifiers");
    identifiers.set(target, [...(identifiers.get(target) ?? []), ...entry.identifiers]);
  }
  const folderIdentifiers = [...identifiers].filter(
    ([target]) => target !== "objects" && !fileIdOfHref.has(target),
  );

  const rights = (archival.rights ?? []).map((r) => ({ ...r, target: known(r.target, "rights") }));
  const labels = new Map<string, string>();
  for (const { target, label } of archival.labels ?? []) labels.set(known(target, "labels"), label);

  const characteristics = new Map<string, DepositorCharacteristics>();
  for (const entry of archival.characteristics ?? [])
    characteristics.set(known(entry.target, "depositor characteristics"), entry);

  if (archival.logicalStructMap) {
    const missing = missingFromLogicalStructMap(archival.logicalStructMap, fileIdOfHref);
    if (missing) throw new MetsInputError(missing);
  }
  return {
    identifiersOf: (target) => identifiers.get(target) ?? [],
    folderIdentifiers,
    rightsOf: (entry) =>
      entry.file.group === "original" && !entry.file.removed
        ? rights.filter((r) => rightsApplyTo(r.target, entry.href))
        : [],
    labels,
    fileIdOfHref,
    depositorCharacteristicsOf: (entry) =>
      entry.file.group === "original" && entry.file.derivedFrom === null
        ? characteristics.get(entry.href)
        : undefined,
  };
}
