import { ARCHIVES, PYTHON } from "./archives.ts";
import { GHOSTSCRIPT, LIBREOFFICE } from "./documents.ts";
import { IMAGES } from "./images.ts";
import type { CorpusFile, Recipe } from "./make.ts";
import { MEDIA } from "./media.ts";
import { makeOfficeFiles } from "./office.ts";

export const RECIPES: Recipe[] = [...MEDIA, ...IMAGES, ...GHOSTSCRIPT, ...ARCHIVES, ...PYTHON];

/** Makes every corpus file in `dir` with its real tool (two at a time; LibreOffice's in one process). */
export async function buildCorpus(dir: string): Promise<CorpusFile[]> {
  const failures: string[] = [];
  const attempt = async (recipe: Recipe): Promise<void> => {
    await recipe.make(dir).catch((error: Error) => failures.push(`${recipe.name}: ${error.message}`));
  };
  let next = 0;
  await Promise.all(
    Array.from({ length: 2 }, async () => {
      while (next < RECIPES.length) await attempt(RECIPES[next++]!);
    }),
  );
  failures.push(
    ...(await makeOfficeFiles(dir, LIBREOFFICE).catch((error: Error) => [`LibreOffice: ${error.message}`])),
  );
  if (failures.length > 0) throw new Error(`the corpus could not be made:\n${failures.join("\n")}`);
  return [...RECIPES, ...LIBREOFFICE].map(({ name, tool, expected, why }) => ({ name, tool, expected, why }));
}
