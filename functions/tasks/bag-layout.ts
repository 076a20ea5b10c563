import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { detectArchive, listArchive } from "../archives/index.ts";
import { writeFileAtomic } from "./atomic-write.ts";
import { layoutPath } from "./stage-transfer.ts";

/** Where a staged BagIt transfer keeps the bag's tag files (bagit.txt, manifests, bag-info.txt). */
export const BAG_TAG_FOLDER = "logs/bagit";
/** Written beside the tag files: how data/ paths map to the transfer's paths. */
export const BAG_LAYOUT_FILE = "stepmatica-layout.json";

export interface BagLayout {
  /** data/ held an objects/ folder (an Archivematica-style bag): data/X → X; else data/X → objects/X. */
  payloadHasObjects: boolean;
}

/** The transfer path of a bag payload path ("data/a.txt" → "objects/a.txt"), or null for tag files. */
export function transferPathOfBagPath(bagPath: string, layout: BagLayout): string | null {
  if (!bagPath.startsWith("data/")) return null;
  return layoutPath(bagPath.slice("data/".length), layout.payloadHasObjects);
}

export async function readBagLayout(unitPath: string): Promise<BagLayout | null> {
  const file = path.join(unitPath, ...BAG_TAG_FOLDER.split("/"), BAG_LAYOUT_FILE);
  const text = await readFile(file, "utf8").catch(() => null);
  return text === null ? null : (JSON.parse(text) as BagLayout);
}

export async function writeBagLayout(unitPath: string, layout: BagLayout): Promise<void> {
  const file = path.join(unitPath, ...BAG_TAG_FOLDER.split("/"), BAG_LAYOUT_FILE);
  await writeFileAtomic(file, `${JSON.stringify(layout)}\n`);
}

/**
 * The folder inside a package that holds bagit.txt: "" (the package's top) or its single top
 * folder's name; null when the package is not a zipped/tarred bag (or is not a package at all).
 */
export async function bagRootInPackage(file: string): Promise<string | null> {
  if ((await detectArchive(file)) === null) return null;
  const entries = await listArchive(file);
  const names = entries
    .map((e) => e.path.replace(/\\/g, "/").replace(/^(\.\/)+/, ""))
    .filter((n) => n !== "");
  if (names.includes("bagit.txt")) return "";
  const tops = new Set(names.map((n) => n.split("/")[0]!));
  if (tops.size !== 1) return null;
  const [top] = [...tops];
  return names.includes(`${top}/bagit.txt`) ? top! : null;
}

/** The single regular file of objects/, when objects/ holds exactly one entry and it is a file. */
export async function soleObject(unitPath: string): Promise<string | null> {
  const objects = path.join(unitPath, "objects");
  const entries = await readdir(objects, { withFileTypes: true }).catch(() => []);
  return entries.length === 1 && entries[0]!.isFile() ? path.join(objects, entries[0]!.name) : null;
}
