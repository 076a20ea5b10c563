import { cp, mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type * as IdentifyModule from "../../../functions/identify/index.ts";

const IDENTIFY_DIR = resolve(fileURLToPath(new URL("../../../functions/identify", import.meta.url)));

/** A deliberate matcher bug: one edit to one source file of functions/identify. */
export interface Mutation {
  name: string;
  file: string;
  /** Exact source text to replace (the mutation fails loudly if it is not there once). */
  from: string;
  to: string;
}

export const MUTATIONS: Mutation[] = [
  {
    name: "negation ignored ([!…] accepts what it lists)",
    file: "pattern.ts",
    from: "if (negate) for (let b = 0; b < 256; b++) accepts[b] = accepts[b] ? 0 : 1;",
    to: "void negate;",
  },
  {
    name: "masks swapped (& tests any bit, ~ all bits)",
    file: "pattern.ts",
    from: 'char === "&" ? (b & mask) === mask : (b & mask) !== 0',
    to: 'char === "&" ? (b & mask) !== 0 : (b & mask) === mask',
  },
  {
    name: "left-fragment order flipped",
    file: "droid-loader.ts",
    from: "const leftText = [...left]\n    .reverse()",
    to: "const leftText = [...left]",
  },
  {
    name: "every minimum offset shifted by 3",
    file: "droid-loader.ts",
    from: "const minOffset = Number(element.attrs.SubSeqMinOffset ?? 0);",
    to: "const minOffset = Number(element.attrs.SubSeqMinOffset ?? 0) + 3;",
  },
];

/**
 * Copies functions/identify (sources, not the signature files) to a temporary folder, applies the
 * mutation to the copy and imports it: the real module is never touched. The copy's imports of
 * other folders of functions/ point back at the real ones.
 */
export async function loadMutant(mutation: Mutation): Promise<typeof IdentifyModule> {
  const dir = await mkdtemp(join(tmpdir(), "stepmatica-mutant-"));
  await cp(IDENTIFY_DIR, dir, { recursive: true, filter: (source) => !source.includes("/signatures") });
  for (const name of (await readdir(dir)).filter((n) => n.endsWith(".ts"))) {
    const copied = join(dir, name);
    const text = await readFile(copied, "utf8");
    const outside = text.replaceAll('from "../', `from "${resolve(IDENTIFY_DIR, "..")}/`);
    if (outside !== text) await writeFile(copied, outside);
  }
  const path = join(dir, mutation.file);
  const source = await readFile(path, "utf8");
  const occurrences = source.split(mutation.from).length - 1;
  if (occurrences !== 1 && mutation.from !== mutation.to) {
    throw new Error(
      `mutation "${mutation.name}": ${mutation.file} has ${occurrences} copies of the text to change`,
    );
  }
  await writeFile(path, source.replace(mutation.from, mutation.to));
  return (await import(pathToFileURL(join(dir, "index.ts")).href)) as typeof IdentifyModule;
}
