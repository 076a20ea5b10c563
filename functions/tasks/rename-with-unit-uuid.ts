import { mkdir, rename, stat } from "node:fs/promises";
import path from "node:path";
import type { TaskModule } from "../core/task-module.ts";
import { safeUnitName } from "../core/working-storage.ts";

/** The folder name Archivematica gives a unit: `<name>-<uuid>`. */
export function unitFolderName(name: string, id: string): string {
  return `${safeUnitName(name)}-${id}`;
}

/** Renames the unit's folder to `<name>-<uuid>` (transfers/ or sips/). A rerun finds it renamed. */
export const renameWithUnitUuid: TaskModule = {
  name: "rename-with-unit-uuid",
  command: "rename-with-unit-uuid",
  async run(ctx) {
    const parent = ctx.unit.type === "transfer" ? "transfers" : "sips";
    const workingPath = `${parent}/${unitFolderName(ctx.unit.name, ctx.unit.id)}`;
    const target = path.join(ctx.workRoot, ...workingPath.split("/"));
    if (ctx.unitPath !== target) {
      const targetExists = await stat(target).then(
        () => true,
        () => false,
      );
      if (!targetExists) {
        await mkdir(path.dirname(target), { recursive: true });
        await rename(ctx.unitPath, target);
      }
    }
    ctx.stdout(`${ctx.unit.workingPath} -> ${workingPath}`);
    return { exitCode: 0, unitUpdate: { workingPath } };
  },
};
