/**
 * What a transfer's metadata folder adds to the structure (Archivematica's mets_structmap.xml,
 * file_labels.csv, identifiers.json): a logical structMap beside the physical one, labels on the
 * physical divs, and extra identifiers for files, folders and the package.
 */
import type { XmlWriter } from "./xml-writer.ts";

export interface ExtraIdentifier {
  type: string;
  value: string;
}

/** One div of a custom structMap: its TYPE and LABEL, the files it points to, its children. */
export interface LogicalDiv {
  type?: string;
  label?: string;
  /** Files by their path in the package ("objects/a.tif"), as CONTENTIDS name them. */
  files: string[];
  children: LogicalDiv[];
}

export interface LogicalStructMap {
  label?: string;
  divs: LogicalDiv[];
}

/** The first file the custom structMap names that is not in the package, as a reason; else null. */
export function missingFromLogicalStructMap(
  map: LogicalStructMap,
  fileIdOfHref: Map<string, string>,
): string | null {
  const visit = (div: LogicalDiv, where: string): string | null => {
    const missing = div.files.find((href) => !fileIdOfHref.has(href));
    if (missing) return `custom structMap div "${where}" points to ${missing}, which is not in the package`;
    for (const [i, child] of div.children.entries()) {
      const found = visit(child, `${where}/${child.label ?? i + 1}`);
      if (found) return found;
    }
    return null;
  };
  for (const [i, div] of map.divs.entries()) {
    const found = visit(div, div.label ?? String(i + 1));
    if (found) return found;
  }
  return null;
}

export function writeLogicalStructMap(
  w: XmlWriter,
  map: LogicalStructMap,
  fileIdOfHref: Map<string, string>,
): void {
  w.open("mets:structMap", [
    ["ID", "structMap_2"],
    ["LABEL", map.label ?? "Logical structure (metadata/mets_structmap.xml)"],
    ["TYPE", "logical"],
  ]);
  const write = (div: LogicalDiv): void => {
    w.open("mets:div", [
      ["LABEL", div.label],
      ["TYPE", div.type],
    ]);
    for (const href of div.files) {
      w.empty("mets:fptr", [
        ["FILEID", `file-${fileIdOfHref.get(href)}`],
        ["CONTENTIDS", href],
      ]);
    }
    for (const child of div.children) write(child);
    w.close("mets:div");
  };
  for (const div of map.divs) write(div);
  w.close("mets:structMap");
}
