import fs from "node:fs/promises";
import path from "node:path";
import { ArchiveError } from "./errors.ts";

export interface SourceEntry {
  /** Relative POSIX path. */
  path: string;
  absolute: string;
  kind: "file" | "dir";
  size: number;
  mtime: Date;
  executable: boolean;
}

/**
 * Every file and folder under root, sorted by path (a folder always before its contents).
 * Links and special files are refused: an AIP holds only regular files, and following a link
 * could pull in files from outside the package.
 */
export async function walkSource(root: string, outFile: string): Promise<SourceEntry[]> {
  const result: SourceEntry[] = [];
  const visit = async (relative: string) => {
    const names = (await fs.readdir(path.join(root, relative))).sort(compareNames);
    for (const name of names) {
      const entryPath = relative === "" ? name : `${relative}/${name}`;
      const absolute = path.join(root, entryPath);
      const stat = await fs.lstat(absolute);
      if (stat.isDirectory()) {
        result.push({ path: entryPath, absolute, kind: "dir", size: 0, mtime: stat.mtime, executable: true });
        await visit(entryPath);
      } else if (stat.isFile()) {
        const executable = (stat.mode & 0o100) !== 0;
        result.push({
          path: entryPath,
          absolute,
          kind: "file",
          size: stat.size,
          mtime: stat.mtime,
          executable,
        });
      } else {
        const what = stat.isSymbolicLink() ? "symbolic link" : "special file";
        throw new ArchiveError("unsupported", outFile, `cannot archive a ${what}`, entryPath);
      }
    }
  };
  await visit("");
  return result.sort((a, b) => compareNames(a.path, b.path));
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
