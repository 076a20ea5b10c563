import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { expect } from "vitest";
import { validateBag } from "../../functions/bagit/index.ts";
import { validateMetsXml } from "../helpers/xsd.ts";

/** The checks every AIP must pass: a valid bag, originals byte-identical, schema-valid METS. */
export async function expectValidAip(
  aipDir: string,
  sourceDir: string,
  originals: string[],
): Promise<string> {
  const bag = await validateBag(aipDir);
  expect(bag.problems, JSON.stringify(bag.problems.slice(0, 5))).toEqual([]);
  expect(bag.valid).toBe(true);
  for (const rel of originals) {
    const stored = await readFile(path.join(aipDir, "data", "objects", ...rel.split("/")));
    expect(stored.equals(await readFile(path.join(sourceDir, ...rel.split("/")))), rel).toBe(true);
  }
  const mets = (await readdir(path.join(aipDir, "data"))).find((n) => /^METS\..+\.xml$/.test(n));
  expect(mets, "data/METS.<uuid>.xml").toBeDefined();
  const xml = await readFile(path.join(aipDir, "data", mets!), "utf8");
  const validation = await validateMetsXml(xml);
  expect(validation.errors.slice(0, 5)).toEqual([]);
  expect(validation.valid).toBe(true);
  return xml;
}

/** Every file under a folder, relative, sorted. */
export async function listTree(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, rel: string) => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) await walk(path.join(dir, e.name), r);
      else out.push(r);
    }
  };
  await walk(root, "");
  return out.sort();
}
