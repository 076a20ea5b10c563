import { mkdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { createArchive } from "../archives/index.ts";
import type { TaskModule } from "../core/task-module.ts";
import { absolute, aipName, bagWorkingPath, compressedExtension } from "./aip-layout.ts";
import { fileEvent } from "./events.ts";
import { exists } from "./fs-walk.ts";

/**
 * Compresses the bagged AIP into one file beside it, `aips/<name>-<uuid>.<7z|zip|tar.gz>`, holding
 * the folder `<name>-<uuid>/` (as Archivematica's compressed AIPs do, so it extracts to the bag).
 * Every entry gets the run's clock as its time, so a deterministic run gives the same bytes. The bag
 * folder is moved into a staging folder for archiving and moved back, so a retry after a crash
 * finds it in either place.
 */
export const compressAip: TaskModule = {
  name: "compress-aip",
  command: "compress-aip 7z|zip|tar.gz",
  async run(ctx) {
    const ext = compressedExtension(ctx.config.aip_compression);
    if (!ext) {
      ctx.stdout("aip_compression is none: nothing to do");
      return { exitCode: 0 };
    }
    const name = aipName(ctx.unit);
    const bagDir = absolute(ctx.workRoot, bagWorkingPath(ctx.unit));
    const staging = `${bagDir}.staging`;
    const staged = path.join(staging, name);
    if (!(await exists(bagDir)) && (await exists(staged))) await rename(staged, bagDir);
    if (!(await exists(bagDir)))
      throw new Error(`compress-aip: the bag ${bagWorkingPath(ctx.unit)} is missing`);
    const out = `${bagDir}.${ext}`;
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging, { recursive: true });
    await rename(bagDir, staged);
    try {
      await createArchive(staging, out, ext, { mtime: ctx.clock.now(), signal: ctx.signal });
    } finally {
      await rename(staged, bagDir);
      await rm(staging, { recursive: true, force: true });
    }
    const { size } = await stat(out);
    ctx.stdout(`compressed ${name}/ into ${path.basename(out)}: ${size} bytes`);
    const event = fileEvent(ctx, null, "compression", {
      detail: `program="stepmatica createArchive"; format="${ext}"`,
      outcome: "success",
      outcomeDetail: `${path.basename(out)}, ${size} bytes`,
      key: "aip",
    });
    return { exitCode: 0, events: [event], output: { compressedAip: path.basename(out) } };
  },
};
