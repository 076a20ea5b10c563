import { mkdir, readdir, rename, rmdir } from "node:fs/promises";
import path from "node:path";
import { sipIdOf } from "../core/ids.ts";
import type { FileRecord, UnitRecord } from "../core/model.ts";
import type { TaskModule } from "../core/task-module.ts";
import { exists } from "./fs-walk.ts";
import { unitFolderName } from "./rename-with-unit-uuid.ts";

/** Where a transfer path goes in the SIP: metadata moves under objects/, as in Archivematica's AIPs. */
export function sipPathOf(transferPath: string): string {
  return transferPath.startsWith("metadata/") ? `objects/${transferPath}` : transferPath;
}

/**
 * Makes the SIP: moves the transfer's folder to sips/<name>-<sip uuid>, with metadata/ under
 * objects/, and hands the transfer's files to the SIP (same file UUIDs). The SIP's id is derived
 * from the transfer's, so a rerun makes the same SIP and the ingest execution named after it.
 */
export const createSip: TaskModule = {
  name: "create-sip",
  command: "create-sip",
  async run(ctx) {
    const sipId = sipIdOf(ctx.unit.id);
    const workingPath = `sips/${unitFolderName(ctx.unit.name, sipId)}`;
    const target = path.join(ctx.workRoot, ...workingPath.split("/"));
    if (!(await exists(target))) {
      await mkdir(path.dirname(target), { recursive: true });
      await rename(ctx.unitPath, target);
    }
    const metadata = path.join(target, "metadata");
    if (await exists(metadata)) {
      const into = path.join(target, "objects", "metadata");
      await mkdir(into, { recursive: true });
      for (const name of await readdir(metadata))
        await rename(path.join(metadata, name), path.join(into, name));
      await rmdir(metadata);
    }
    // The updates name every file (id, unit, path): small, but still one per file of the transfer.
    const fileUpdates: Array<Partial<FileRecord> & { id: string }> = [];
    const pages = ctx.store.filePages(ctx.unit.id, { includeRemoved: true, withoutCharacteristics: true });
    for await (const page of pages)
      for (const f of page) fileUpdates.push({ id: f.id, unitId: sipId, path: sipPathOf(f.path) });
    const sip: UnitRecord = {
      ...ctx.unit,
      id: sipId,
      type: "sip",
      status: "running",
      workingPath,
      parentId: ctx.unit.id,
      reason: null,
      createdAt: new Date(),
      updatedAt: new Date(),
      heartbeatAt: null,
    };
    ctx.stdout(`SIP ${sipId} with ${fileUpdates.length} file(s) at ${workingPath}`);
    return {
      exitCode: 0,
      newUnits: [sip],
      fileUpdates,
      unitUpdate: { status: "completed" },
      output: { sipId },
    };
  },
};
