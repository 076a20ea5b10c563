import { rm } from "node:fs/promises";
import { removeTree } from "../core/remove-tree.ts";
import type { TaskModule } from "../core/task-module.ts";
import { absolute, bagWorkingPath, compressedExtension } from "./aip-layout.ts";
import { dipWorkingPath } from "./dip.ts";

/** Removes the stored AIP's working copy; the unit is complete. Only runs after store-aip verified fixity. */
export const cleanUp: TaskModule = {
  name: "clean-up",
  command: "clean-up",
  async run(ctx) {
    const bagDir = absolute(ctx.workRoot, bagWorkingPath(ctx.unit));
    const ext = compressedExtension(ctx.config.aip_compression);
    await removeTree(bagDir);
    if (ext) await rm(`${bagDir}.${ext}`, { force: true });
    await removeTree(absolute(ctx.workRoot, dipWorkingPath(ctx.unit)));
    ctx.stdout(`removed the working copy of ${bagWorkingPath(ctx.unit)}`);
    return { exitCode: 0, unitUpdate: { status: "completed" } };
  },
};
