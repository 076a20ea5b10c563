/**
 * The fileSec (files grouped by use) and the physical structMap (the folder tree as laid out in
 * the package, Archivematica's "Archivematica default" map), written a page of files at a time.
 */
import { compareCodePoints } from "./characteristics.ts";
import { FILE_GROUP_ORDER, type MetsFileEntry, MetsInputError } from "./input.ts";
import { groupRootsOf } from "./relations.ts";
import type { FileUse, MetsFileSource, RankedEntry } from "./source.ts";
import { answerOf, type Steps, settled, startSteps } from "./steps.ts";
import { uriReferenceOf } from "./uri.ts";
import type { XmlWriter } from "./xml-writer.ts";

export const STRUCT_MAP_LABEL = "Archivematica default";

export function* writeFileSec(
  w: XmlWriter,
  source: MetsFileSource,
  pageSize: number,
  amdSecIdOf: (entry: RankedEntry) => string,
): Steps {
  w.open("mets:fileSec");
  for (const use of [...FILE_GROUP_ORDER, "deleted" as const]) {
    let after: RankedEntry | null = null;
    let reading = startSteps(fileSecPage(source, use, null, pageSize));
    try {
      for (;;) {
        const { page, roots }: FileSecPage = yield* answerOf(reading);
        if (page.length === 0) break;
        const full = page.length === pageSize;
        // The next page is read while this one is written.
        if (full) reading = startSteps(fileSecPage(source, use, page[page.length - 1]!, pageSize));
        if (after === null) w.open("mets:fileGrp", [["USE", use]]);
        for (const entry of page)
          writeFileElement(w, entry, `Group-${roots.get(entry.file.id)}`, amdSecIdOf(entry));
        after = page[page.length - 1]!;
        if (!full) break;
      }
    } finally {
      yield* settled(reading);
    }
    if (after !== null) w.close("mets:fileGrp");
  }
  w.close("mets:fileSec");
}

interface FileSecPage {
  page: RankedEntry[];
  /** Each file's GROUPID root. */
  roots: Map<string, string>;
}

function* fileSecPage(
  source: MetsFileSource,
  use: FileUse,
  after: RankedEntry | null,
  pageSize: number,
): Steps<FileSecPage> {
  const page: RankedEntry[] = yield* answerOf(source.rankedPage(use, after, pageSize));
  return { page, roots: page.length === 0 ? new Map() : yield* groupRootsOf(source, page) };
}

function writeFileElement(w: XmlWriter, { file, href }: MetsFileEntry, groupId: string, admId: string): void {
  const attrs = [
    ["GROUPID", groupId],
    ["ID", `file-${file.id}`],
    ["ADMID", admId],
  ] as const;
  if (file.removed) {
    // A removed file keeps its provenance (amdSec) but has no location in the package.
    w.empty("mets:file", attrs);
    return;
  }
  w.open("mets:file", attrs);
  w.empty("mets:FLocat", [
    ["xlink:href", uriReferenceOf(href)],
    ["LOCTYPE", "OTHER"],
    ["OTHERLOCTYPE", "SYSTEM"],
  ]);
  w.close("mets:file");
}

export interface DivLinks {
  /** The package's label (name-uuid): the root div's. */
  rootLabel: string;
  /** The root div's amdSec (the package's own events), if it has one. */
  rootAdmId: string | undefined;
  dmdIdsOf: ReadonlyMap<string, string[]>;
  /** Labels from metadata/file_labels.csv; a div without one is labelled with its name. */
  labels: ReadonlyMap<string, string>;
}

/**
 * The folder tree of the files still present (removed files are not in the package), written from
 * the files in tree order: a stack of the open folders is all that is held. Refuses two files at one
 * href and a file under a path that is a file, as MetsInputErrors naming them.
 */
export function* writeStructMap(
  w: XmlWriter,
  source: MetsFileSource,
  pageSize: number,
  links: DivLinks,
): Steps {
  w.open("mets:structMap", [
    ["ID", "structMap_1"],
    ["LABEL", STRUCT_MAP_LABEL],
    ["TYPE", "physical"],
  ]);
  openDiv(w, links, "", links.rootLabel, "Directory", links.rootAdmId);
  // objects/ is in every package, even one whose files are all elsewhere or removed.
  let objectsWritten = false;
  const open: string[] = [];
  let previous: MetsFileEntry | null = null;
  let reading = source.treePage(null, pageSize);
  try {
    for (;;) {
      const page: MetsFileEntry[] = yield* answerOf(reading);
      // The next page is read while this one is written.
      if (page.length === pageSize) reading = source.treePage(page[page.length - 1]!, pageSize);
      for (const entry of page) {
        checkPlace(entry.href, previous?.href);
        const segments = entry.href.split("/");
        const folders = segments.slice(0, -1);
        let shared = 0;
        while (shared < open.length && open[shared] === folders[shared]) shared++;
        while (open.length > shared) {
          open.pop();
          w.close("mets:div");
        }
        if (!objectsWritten && open.length === 0 && compareCodePoints(segments[0]!, "objects") >= 0) {
          if (segments[0] !== "objects") writeEmptyFolder(w, links, "objects");
          objectsWritten = true;
        }
        for (const folder of folders.slice(open.length)) {
          open.push(folder);
          openDiv(w, links, open.join("/"), folder, "Directory");
        }
        openDiv(w, links, entry.href, segments[segments.length - 1]!, "Item");
        w.empty("mets:fptr", [["FILEID", `file-${entry.file.id}`]]);
        w.close("mets:div");
        previous = entry;
      }
      if (page.length < pageSize) break;
    }
  } finally {
    yield* settled(reading);
  }
  for (const _ of open) w.close("mets:div");
  if (!objectsWritten) writeEmptyFolder(w, links, "objects");
  w.close("mets:div");
  w.close("mets:structMap");
}

/** In tree order a clash is next to what it clashes with: the same href, or a file's href as a folder. */
function checkPlace(href: string, previous: string | undefined): void {
  if (href === "objects")
    throw new MetsInputError(`file ${href} clashes with another file or folder of the same path`);
  if (previous === href) throw new MetsInputError(`two files have the href "${href}"`);
  if (previous !== undefined && href.startsWith(`${previous}/`))
    throw new MetsInputError(`file ${href} lies under ${previous}, which is a file`);
}

function openDiv(
  w: XmlWriter,
  links: DivLinks,
  path: string,
  name: string,
  type: "Directory" | "Item",
  admId?: string,
): void {
  w.open("mets:div", [
    ["LABEL", links.labels.get(path) ?? name],
    ["TYPE", type],
    ["DMDID", links.dmdIdsOf.get(path)?.join(" ")],
    ["ADMID", admId],
  ]);
}

function writeEmptyFolder(w: XmlWriter, links: DivLinks, path: string): void {
  openDiv(w, links, path, path, "Directory");
  w.close("mets:div");
}
