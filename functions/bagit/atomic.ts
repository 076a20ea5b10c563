/** Writes a file via a temp name and rename, so readers never see half a tag file. */
import { rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";

/** Suffix of in-progress files; leftovers from a crashed run are removed and never listed. */
export const TEMP_SUFFIX = ".stepmatica-tmp";

export function isTempName(name: string): boolean {
  return name.endsWith(TEMP_SUFFIX);
}

export async function writeFileAtomic(target: string, content: string): Promise<void> {
  const temp = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}${TEMP_SUFFIX}`);
  try {
    await writeFile(temp, content, "utf8");
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
