/**
 * Metadata files name files and folders as the depositor did ("objects/letters/minutes.txt");
 * "Clean up names" may have changed them since. This maps such a name to the path in the package.
 */
import type { FileRecord } from "../core/model.ts";
import { TransferMetadataError } from "./errors.ts";

export type TargetResolver = (name: string, where: string) => string;

export function targetResolver(files: readonly FileRecord[]): TargetResolver {
  const originals = files.filter(
    (f) => !f.removed && f.derivedFrom === null && f.path.startsWith("objects/"),
  );
  const byOriginal = new Map<string, string>();
  for (const file of originals) {
    byOriginal.set(file.originalPath, file.path);
    byOriginal.set(file.path.slice("objects/".length), file.path);
  }
  return (name, where) => {
    const cleaned = name.trim().replace(/^\.\//, "").replace(/\/+$/, "");
    if (cleaned === "objects" || cleaned === "") return "objects";
    const key = cleaned.startsWith("objects/") ? cleaned.slice("objects/".length) : cleaned;
    const file = byOriginal.get(key);
    if (file) return file;
    const depth = key.split("/").length;
    const inside = originals.find(
      (f) => f.originalPath.startsWith(`${key}/`) || f.path.startsWith(`objects/${key}/`),
    );
    if (inside)
      return inside.path
        .split("/")
        .slice(0, 1 + depth)
        .join("/");
    throw new TransferMetadataError(
      `${where}: ${JSON.stringify(name)} is not a file or folder of the transfer`,
    );
  };
}
