import { mkdir, readdir, rename, rmdir } from "node:fs/promises";
import path from "node:path";
import { sipIdOf } from "../core/ids.ts";
import type { UnitRecord } from "../core/model.ts";
import type { TaskModule } from "../core/task-module.ts";
import { exists } from "./fs-walk.ts";
import { unitFolderName } from "./rename-with-unit-uuid.ts";

/** A transfer's metadata/ goes under objects/ in the SIP, as in Archivematica's AIPs. */
const TRANSFER_METADATA_PREFIX = "metadata/";

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
    ctx.stdout(`SIP ${sipId} at ${workingPath}: the transfer's files are handed to it`);
    return {
      exitCode: 0,
      newUnits: [sip],
      // One statement for every file, however many, applied by the store.
      moveFiles: {
        fromUnit: ctx.unit.id,
        toUnit: sipId,
        rewritePrefix: { from: TRANSFER_METADATA_PREFIX, to: `objects/${TRANSFER_METADATA_PREFIX}` },
      },
      unitUpdate: { status: "completed" },
      output: { sipId },
    };
  },
};
