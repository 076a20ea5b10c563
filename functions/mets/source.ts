/**
 * Where the METS writer reads a unit's files from, a page at a time, in the orders the document
 * needs, so that a 200,000-file unit is never held whole (issue 16). The store answers with keyset
 * queries; memoryFileSource answers from a list, for buildMets and writeMets.
 */
import type { FileGroup } from "../core/model.ts";
import { compareCodePoints } from "./characteristics.ts";
import type { MetsFileEntry } from "./input.ts";
import type { Answer } from "./steps.ts";

/** A fileSec group: the files of a group still in the package, or "deleted", the removed ones. */
export type FileUse = FileGroup | "deleted";

/** A file with its rank: its place (from 0) among all the METS's files by href then id, its amdSec. */
export interface RankedEntry extends MetsFileEntry {
  rank: number;
}

export interface MetsFileSource {
  /**
   * At most `limit` files after `after`, by href then id in code-point order, each with its rank.
   * "all": every file, removed ones too (the amdSecs); a group or "deleted": that fileGrp's files.
   */
  rankedPage(use: FileUse | "all", after: RankedEntry | null, limit: number): Answer<RankedEntry[]>;
  /** At most `limit` files still present after `after`, in the physical structMap's order (treeOrder). */
  treePage(after: MetsFileEntry | null, limit: number): Answer<MetsFileEntry[]>;
  /** The files with these ids, in any order; an id of no file of the METS is left out. */
  filesWithIds(ids: string[]): Answer<MetsFileEntry[]>;
  /** The files derived from these, by href then id. */
  derivativesOf(sourceIds: string[]): Answer<MetsFileEntry[]>;
  /** The files still present at these hrefs. */
  presentAt(hrefs: string[]): Answer<MetsFileEntry[]>;
  /** Those of `paths` that are folders of the package: a file still present lies under each. */
  foldersAmong(paths: string[]): Answer<string[]>;
}

export function isOfUse(file: MetsFileEntry["file"], use: FileUse): boolean {
  return use === "deleted" ? file.removed : !file.removed && file.group === use;
}

/**
 * The physical structMap's order: a folder's children sorted by name, so hrefs compare segment by
 * segment ("a/b" before "a-c", though "-" < "/"), each in code-point order; then by id.
 */
export function compareTreeOrder(a: MetsFileEntry, b: MetsFileEntry): number {
  const x = a.href.split("/");
  const y = b.href.split("/");
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const order = compareCodePoints(x[i]!, y[i]!);
    if (order !== 0) return order;
  }
  return x.length - y.length || compareCodePoints(a.file.id, b.file.id);
}

/** A source over files held in memory, already sorted by href then id with distinct ids (prepareMets). */
export function memoryFileSource(sorted: readonly MetsFileEntry[]): MetsFileSource {
  const ranked: RankedEntry[] = sorted.map((entry, rank) => ({ ...entry, rank }));
  const byId = new Map(ranked.map((entry) => [entry.file.id, entry]));
  const present = ranked.filter((entry) => !entry.file.removed);
  const inTree = [...present].sort(compareTreeOrder);
  const treeIndex = new Map(inTree.map((entry, index) => [entry.file.id, index]));
  const presentByHref = new Map(present.map((entry) => [entry.href, entry]));
  const folders = new Set(present.flatMap(({ href }) => foldersAbove(href)));
  const derivatives = new Map<string, RankedEntry[]>();
  for (const entry of ranked) {
    const source = entry.file.derivedFrom;
    if (source === null) continue;
    const list = derivatives.get(source);
    if (list) list.push(entry);
    else derivatives.set(source, [entry]);
  }
  return {
    rankedPage(use, after, limit) {
      const start = after ? after.rank + 1 : 0;
      if (use === "all") return ranked.slice(start, start + limit);
      const page: RankedEntry[] = [];
      for (let i = start; i < ranked.length && page.length < limit; i++)
        if (isOfUse(ranked[i]!.file, use)) page.push(ranked[i]!);
      return page;
    },
    treePage(after, limit) {
      const start = after ? treeIndex.get(after.file.id)! + 1 : 0;
      return inTree.slice(start, start + limit);
    },
    filesWithIds: (ids) => ids.flatMap((id) => byId.get(id) ?? []),
    derivativesOf: (sourceIds) => sourceIds.flatMap((id) => derivatives.get(id) ?? []),
    presentAt: (hrefs) => hrefs.flatMap((href) => presentByHref.get(href) ?? []),
    foldersAmong: (paths) => paths.filter((path) => folders.has(path)),
  };
}

/** "a/b/c.txt" → "a", "a/b". */
function foldersAbove(href: string): string[] {
  const segments = href.split("/");
  return segments.slice(0, -1).map((_, i) => segments.slice(0, i + 1).join("/"));
}
