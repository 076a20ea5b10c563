/**
 * The fileSec (files grouped by use) and the physical structMap (the folder tree as laid out in
 * the package, Archivematica's "Archivematica default" map).
 */
import { compareCodePoints } from "./characteristics.ts";
import {
  FILE_GROUP_ORDER,
  groupRootOf,
  type MetsFileEntry,
  MetsInputError,
  type PreparedMets,
} from "./input.ts";
import { uriReferenceOf } from "./uri.ts";
import type { XmlWriter } from "./xml-writer.ts";

export const STRUCT_MAP_LABEL = "Archivematica default";

export interface DirectoryNode {
  kind: "directory";
  label: string;
  path: string;
  children: Map<string, TreeNode>;
}

export interface ItemNode {
  kind: "item";
  label: string;
  path: string;
  fileId: string;
}

export type TreeNode = DirectoryNode | ItemNode;

/** The folder tree of the files still present (removed files are not in the package). */
export function buildTree(files: readonly MetsFileEntry[], rootLabel: string): DirectoryNode {
  const root: DirectoryNode = { kind: "directory", label: rootLabel, path: "", children: new Map() };
  directoryAt(root, ["objects"], "objects");
  for (const { file, href } of files) {
    if (file.removed) continue;
    const segments = href.split("/");
    const parent = directoryAt(root, segments.slice(0, -1), href);
    const label = segments[segments.length - 1]!;
    if (parent.children.has(label)) {
      throw new MetsInputError(`file ${href} clashes with another file or folder of the same path`);
    }
    parent.children.set(label, { kind: "item", label, path: href, fileId: file.id });
  }
  return root;
}

function directoryAt(root: DirectoryNode, segments: readonly string[], forHref: string): DirectoryNode {
  let node = root;
  for (const segment of segments) {
    const existing = node.children.get(segment);
    if (existing?.kind === "item") {
      throw new MetsInputError(`file ${forHref} lies under ${existing.path}, which is a file`);
    }
    if (existing) {
      node = existing;
      continue;
    }
    const path = node.path === "" ? segment : `${node.path}/${segment}`;
    const created: DirectoryNode = { kind: "directory", label: segment, path, children: new Map() };
    node.children.set(segment, created);
    node = created;
  }
  return node;
}

/** Every path in the tree, so dmdSec targets can be checked before writing. */
export function treePaths(root: DirectoryNode): Set<string> {
  const paths = new Set<string>();
  const visit = (node: TreeNode): void => {
    paths.add(node.path);
    if (node.kind === "directory") for (const child of node.children.values()) visit(child);
  };
  visit(root);
  return paths;
}

export function writeFileSec(w: XmlWriter, prepared: PreparedMets, amdSecIdOf: Map<string, string>): void {
  w.open("mets:fileSec");
  for (const use of [...FILE_GROUP_ORDER, "deleted" as const]) {
    const members = prepared.files.filter(({ file }) =>
      use === "deleted" ? file.removed : !file.removed && file.group === use,
    );
    if (members.length === 0) continue;
    w.open("mets:fileGrp", [["USE", use]]);
    for (const { file, href } of members) {
      const attrs = [
        ["GROUPID", `Group-${groupRootOf(prepared, file)}`],
        ["ID", `file-${file.id}`],
        ["ADMID", amdSecIdOf.get(file.id)],
      ] as const;
      if (file.removed) {
        // A removed file keeps its provenance (amdSec) but has no location in the package.
        w.empty("mets:file", attrs);
        continue;
      }
      w.open("mets:file", attrs);
      w.empty("mets:FLocat", [
        ["xlink:href", uriReferenceOf(href)],
        ["LOCTYPE", "OTHER"],
        ["OTHERLOCTYPE", "SYSTEM"],
      ]);
      w.close("mets:file");
    }
    w.close("mets:fileGrp");
  }
  w.close("mets:fileSec");
}

export function writeStructMap(
  w: XmlWriter,
  root: DirectoryNode,
  dmdIdsOf: Map<string, string[]>,
  rootAdmId: string | undefined,
  labels: ReadonlyMap<string, string> = new Map(),
): void {
  w.open("mets:structMap", [
    ["ID", "structMap_1"],
    ["LABEL", STRUCT_MAP_LABEL],
    ["TYPE", "physical"],
  ]);
  writeDiv(w, root, { dmdIdsOf, labels }, rootAdmId);
  w.close("mets:structMap");
}

interface DivLinks {
  dmdIdsOf: Map<string, string[]>;
  /** Labels from metadata/file_labels.csv; a div without one is labelled with its name. */
  labels: ReadonlyMap<string, string>;
}

function writeDiv(w: XmlWriter, node: TreeNode, links: DivLinks, admId?: string): void {
  const { dmdIdsOf } = links;
  const attrs = [
    ["LABEL", links.labels.get(node.path) ?? node.label],
    ["TYPE", node.kind === "directory" ? "Directory" : "Item"],
    ["DMDID", dmdIdsOf.get(node.path)?.join(" ")],
    ["ADMID", admId],
  ] as const;
  w.open("mets:div", attrs);
  if (node.kind === "item") {
    w.empty("mets:fptr", [["FILEID", `file-${node.fileId}`]]);
  } else {
    const children = [...node.children.values()].sort((a, b) => compareCodePoints(a.label, b.label));
    for (const child of children) writeDiv(w, child, links);
  }
  w.close("mets:div");
}
