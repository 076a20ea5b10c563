import { ARCHIVES, PYTHON } from "./archives.ts";
import { GHOSTSCRIPT, LIBREOFFICE } from "./documents.ts";
import { IMAGES } from "./images.ts";
import type { CorpusFile, Recipe } from "./make.ts";
import { MEDIA } from "./media.ts";

export const RECIPES: Recipe[] = [
  ...MEDIA,
  ...IMAGES,
  ...GHOSTSCRIPT,
  ...ARCHIVES,
  ...PYTHON,
  ...LIBREOFFICE,
];

/** Makes every corpus file in `dir` with its real tool (a few at a time; LibreOffice one at a time). */
export async function buildCorpus(dir: string): Promise<CorpusFile[]> {
  const office = RECIPES.filter((r) => r.tool.startsWith("soffice"));
  const others = RECIPES.filter((r) => !r.tool.startsWith("soffice"));
  const failures: string[] = [];
  const attempt = async (recipe: Recipe): Promise<void> => {
    await recipe.make(dir).catch((error: Error) => failures.push(`${recipe.name}: ${error.message}`));
  };
  let next = 0;
  await Promise.all(
    Array.from({ length: 2 }, async () => {
      while (next < others.length) await attempt(others[next++]!);
    }),
  );
  // soffice shares one profile, so its conversions run one after another.
  for (const recipe of office) await attempt(recipe);
  if (failures.length > 0) throw new Error(`the corpus could not be made:\n${failures.join("\n")}`);
  return RECIPES.map(({ make: _make, ...file }) => file);
}
