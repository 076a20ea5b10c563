import path from "node:path";
import type { ArchiveKind } from "../archives/index.ts";
import { detectArchive } from "../archives/index.ts";
import type { FileRecord } from "../core/model.ts";

/**
 * Which files Extract packages opens. By content (detectArchive), and only when format
 * identification agrees that the file is a plain package: a DOCX, ODT, EPUB or JAR is a zip by its
 * bytes but a document by its format, and stays whole (as Archivematica's extraction rules do).
 */
export const PACKAGE_PUIDS: ReadonlySet<string> = new Set([
  "x-fmt/263", // ZIP
  "x-fmt/265", // TAR
  "x-fmt/266", // GZIP
  "x-fmt/268", // BZIP2
  "fmt/484", // 7-Zip
  "fmt/1098", // XZ
]);

const PACKAGE_EXTENSIONS = [
  ".tar.gz",
  ".tar.bz2",
  ".tar.xz",
  ".tgz",
  ".tbz2",
  ".txz",
  ".zip",
  ".tar",
  ".7z",
  ".gz",
  ".bz2",
  ".xz",
];

/** Format identification named the file a format other than a plain package: it is none, whatever its bytes. */
export function identifiedAsNoPackage(file: Pick<FileRecord, "puid">): boolean {
  return file.puid !== null && !PACKAGE_PUIDS.has(file.puid);
}

/** The package kind, or null when the file is not a package we open (or cannot be read). */
export async function packageKind(
  absolute: string,
  file: Pick<FileRecord, "puid">,
): Promise<ArchiveKind | null> {
  if (identifiedAsNoPackage(file)) return null;
  return detectArchive(absolute).catch(() => null);
}

/** "objects/a/foo.tar.gz" → "objects/a/foo": the folder the contents go to, beside the package. */
export function extractionFolderOf(packagePath: string): string {
  const dir = path.posix.dirname(packagePath);
  const base = path.posix.basename(packagePath);
  const ext = PACKAGE_EXTENSIONS.find((e) => base.toLowerCase().endsWith(e) && base.length > e.length);
  const stem = ext ? base.slice(0, -ext.length) : `${base}-extracted`;
  return `${dir}/${stem}`;
}

/** How many packages a file came out of (0 for a deposited file). */
export function nestingDepth(file: FileRecord, byId: ReadonlyMap<string, FileRecord>): number {
  let depth = 0;
  const seen = new Set<string>();
  for (let current = file; current.derivedFrom !== null && !seen.has(current.id); depth++) {
    seen.add(current.id);
    const parent = byId.get(current.derivedFrom);
    if (!parent) return depth + 1;
    current = parent;
  }
  return depth;
}

/**
 * The extraction folder for each package, distinct from every known path and from each other:
 * "foo" when free, else "foo-<first 8 of the package's id>". Depends only on the stored paths,
 * so a rerun after a crash picks the same folders.
 */
export function planExtractionFolders(
  packages: readonly FileRecord[],
  knownPaths: readonly string[],
): Map<string, string> {
  const taken = new Set<string>();
  for (const p of knownPaths) {
    const parts = p.split("/");
    for (let i = 1; i <= parts.length; i++) taken.add(parts.slice(0, i).join("/").toLowerCase());
  }
  const plan = new Map<string, string>();
  for (const pkg of packages) {
    let folder = extractionFolderOf(pkg.path);
    if (taken.has(folder.toLowerCase())) folder = `${folder}-${pkg.id.slice(0, 8)}`;
    taken.add(folder.toLowerCase());
    plan.set(pkg.id, folder);
  }
  return plan;
}
