/**
 * What a page of files needs to know about other files, asked of the source for that page only:
 * the ancestors that give a file its GROUPID, and the sources and derivatives its PREMIS
 * relationships name.
 */
import type { FileRecord } from "../core/model.ts";
import { groupRootOf, type MetsFileEntry } from "./input.ts";
import type { MetsFileSource } from "./source.ts";
import { allOf, answerOf, type Steps } from "./steps.ts";

/** Each file's GROUPID root (groupRootOf), its ancestors read a generation at a time. */
export function* groupRootsOf(
  source: MetsFileSource,
  entries: readonly MetsFileEntry[],
): Steps<Map<string, string>> {
  // null: the id of no file of the METS (a source outside it is its own group root).
  const known = new Map<string, FileRecord | null>(entries.map(({ file }) => [file.id, file]));
  let wanted = parentsNotIn(known, entries);
  while (wanted.length > 0) {
    const found: MetsFileEntry[] = yield* answerOf(source.filesWithIds(wanted));
    for (const id of wanted) known.set(id, null);
    for (const { file } of found) known.set(file.id, file);
    wanted = parentsNotIn(known, found);
  }
  const fileWithId = (id: string) => known.get(id) ?? undefined;
  return new Map(entries.map(({ file }) => [file.id, groupRootOf(fileWithId, file)]));
}

function parentsNotIn(known: Map<string, unknown>, entries: readonly MetsFileEntry[]): string[] {
  const parents = entries.flatMap(({ file }) => (file.derivedFrom === null ? [] : [file.derivedFrom]));
  return [...new Set(parents.filter((id) => !known.has(id)))];
}

export interface PageRelations {
  /** The derivatives of each file of the page, by href then id. */
  derivativesOf: Map<string, MetsFileEntry[]>;
  /**
   * The files whose events the page's sections read: its own, and for its relationships (whose
   * normalization event may be the other file's) its sources in the METS and its derivatives.
   */
  related: string[];
}

export function* relationsOf(source: MetsFileSource, page: readonly MetsFileEntry[]): Steps<PageRelations> {
  const ids = page.map(({ file }) => file.id);
  const sourceIds = [
    ...new Set(page.flatMap(({ file }) => (file.derivedFrom === null ? [] : [file.derivedFrom]))),
  ];
  const [sources, derivatives] = yield* allOf(source.filesWithIds(sourceIds), source.derivativesOf(ids));
  const derivativesOf = new Map<string, MetsFileEntry[]>();
  for (const derivative of derivatives) {
    const of = derivative.file.derivedFrom!;
    const list = derivativesOf.get(of);
    if (list) list.push(derivative);
    else derivativesOf.set(of, [derivative]);
  }
  const related = new Set([
    ...ids,
    ...sources.map(({ file }) => file.id),
    ...derivatives.map(({ file }) => file.id),
  ]);
  return { derivativesOf, related: [...related] };
}
