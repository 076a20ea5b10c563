/** Writes a file via a temp name and rename, so readers never see half a tag file. */
import { type FileHandle, open, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";

/** Suffix of in-progress files; leftovers from a crashed run are removed and never listed. */
export const TEMP_SUFFIX = ".stepmatica-tmp";

export function isTempName(name: string): boolean {
  return name.endsWith(TEMP_SUFFIX);
}

const tempNameOf = (target: string) =>
  path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}${TEMP_SUFFIX}`);

export async function writeFileAtomic(target: string, content: string): Promise<void> {
  const temp = tempNameOf(target);
  try {
    await writeFile(temp, content, "utf8");
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/**
 * A file written a piece at a time under a temp name and renamed when complete (commit), so a
 * large tag file (a 200,000-line manifest) is never built whole in memory nor seen half written.
 */
export class AtomicAppender {
  private constructor(
    private readonly target: string,
    private readonly temp: string,
    private handle: FileHandle | null,
  ) {}

  static async open(target: string): Promise<AtomicAppender> {
    const temp = tempNameOf(target);
    return new AtomicAppender(target, temp, await open(temp, "w"));
  }

  async append(text: string): Promise<void> {
    if (!this.handle) throw new Error(`${this.target}: already committed or discarded`);
    await this.handle.write(text, null, "utf8");
  }

  async commit(): Promise<void> {
    if (!this.handle) throw new Error(`${this.target}: already committed or discarded`);
    await this.handle.close();
    this.handle = null;
    await rename(this.temp, this.target);
  }

  /** Removes the temp file unless committed (after a failure); nothing to do after commit. */
  async discard(): Promise<void> {
    if (this.handle) {
      await this.handle.close();
      this.handle = null;
      await rm(this.temp, { force: true });
    }
  }
}
