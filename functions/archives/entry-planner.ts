import { ArchiveError } from "./errors.ts";

export type PlannedKind = "file" | "dir" | "symlink";

interface Placed {
  actual: string;
  kind: PlannedKind;
}

export interface Placement {
  /** Where the entry goes, relative to the extraction root. */
  actual: string;
  /** The same path was already written by an earlier entry (duplicate: the later one wins). */
  replaces: PlannedKind | undefined;
}

/**
 * Decides where each entry lands so that the result is the same on every file system:
 * - an exact duplicate replaces the earlier entry (tar's "last one wins");
 * - a name equal to an earlier one except for case or Unicode normalization, or a file where a
 *   folder already is (or the reverse), is written as `name~2.ext` (`~3`, … as needed), so that
 *   nothing is lost or merged on case-insensitive file systems; the rename is reported;
 * - no entry may pass through an earlier symbolic link (that is how links write outside).
 */
export class EntryPlanner {
  private readonly byOriginal = new Map<string, Placed>();
  private readonly takenFolded = new Set<string>();
  readonly renamed: Array<{ from: string; to: string }> = [];

  constructor(private readonly archive: string) {}

  place(entryPath: string, kind: PlannedKind): Placement {
    const segments = entryPath.split("/");
    let original = "";
    let actualParent = "";
    for (let index = 0; index < segments.length; index++) {
      const last = index === segments.length - 1;
      const want: PlannedKind = last ? kind : "dir";
      original = original === "" ? segments[index]! : `${original}/${segments[index]}`;
      const known = this.byOriginal.get(original);
      if (known?.kind === "symlink" && !last) {
        throw new ArchiveError("link-escape", this.archive, "path passes through a symbolic link", entryPath);
      }
      if (known !== undefined && (known.kind === "dir") === (want === "dir")) {
        if (last) {
          const replaces = known.kind === "dir" ? undefined : known.kind;
          known.kind = want;
          return { actual: known.actual, replaces };
        }
        actualParent = known.actual;
        continue;
      }
      const actual = this.freeName(actualParent, segments[index]!);
      if (actual !== join(actualParent, segments[index]!)) this.renamed.push({ from: original, to: actual });
      this.byOriginal.set(original, { actual, kind: want });
      this.takenFolded.add(fold(actual));
      if (last) return { actual, replaces: undefined };
      actualParent = actual;
    }
    throw new ArchiveError("unsafe-path", this.archive, "empty path", entryPath);
  }

  /** The planned location of an earlier entry (hard-link targets), or undefined. */
  lookup(entryPath: string): Placed | undefined {
    return this.byOriginal.get(entryPath);
  }

  private freeName(parent: string, name: string): string {
    const candidate = join(parent, name);
    if (!this.takenFolded.has(fold(candidate))) return candidate;
    const dot = name.lastIndexOf(".");
    const stem = dot > 0 ? name.slice(0, dot) : name;
    const extension = dot > 0 ? name.slice(dot) : "";
    for (let n = 2; ; n++) {
      const renamed = join(parent, `${stem}~${n}${extension}`);
      if (!this.takenFolded.has(fold(renamed))) return renamed;
    }
  }
}

function join(parent: string, name: string): string {
  return parent === "" ? name : `${parent}/${name}`;
}

function fold(name: string): string {
  return name.normalize("NFC").toLowerCase();
}
