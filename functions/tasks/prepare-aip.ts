import { mkdir, rename } from "node:fs/promises";
import path from "node:path";
import type { Algorithm } from "../bagit/index.ts";
import { writeBag } from "../bagit/index.ts";
import type { TaskModule } from "../core/task-module.ts";
import { absolute, bagWorkingPath } from "./aip-layout.ts";
import { exists } from "./fs-walk.ts";

/**
 * Bags the AIP: the SIP folder (objects/, logs/, METS.<uuid>.xml) becomes the bag's data/, and
 * BagIt 1.0 tag files are written around it, reusing the checksums taken at transfer so that
 * originals are not read again. Compression, when configured, happens in compress-aip.
 */
export const prepareAip: TaskModule = {
  name: "prepare-aip",
  command: "prepare-aip (BagIt 1.0, sha256)",
  async run(ctx) {
    const workingPath = bagWorkingPath(ctx.unit);
    const bagDir = absolute(ctx.workRoot, workingPath);
    const data = path.join(bagDir, "data");
    if (!(await exists(data))) {
      await mkdir(bagDir, { recursive: true });
      await rename(ctx.unitPath, data);
    }
    // Only the checksums are needed: the files' tool output (most of a row) stays in the database.
    const knownDigests = new Map<string, Partial<Record<Algorithm, string>>>();
    for await (const page of ctx.store.filePages(ctx.unit.id, { withoutCharacteristics: true }))
      for (const f of page) if (f.sha256) knownDigests.set(`data/${f.path}`, { sha256: f.sha256 });
    const bagInfo: Record<string, string> = {
      "Source-Organization": ctx.agents.find((a) => a.type === "organization")?.name ?? "stepmatica",
      "External-Description": `AIP of transfer "${ctx.unit.name}"`,
      "Internal-Sender-Identifier": ctx.unit.id,
    };
    if (ctx.unit.options.externalIdentifier)
      bagInfo["External-Identifier"] = ctx.unit.options.externalIdentifier;
    const result = await writeBag(bagDir, {
      algorithms: ["sha256"],
      bagInfo,
      baggingDate: ctx.clock.now(),
      knownDigests,
    });
    ctx.stdout(
      `bagged ${result.payloadFiles} payload file(s), ${result.payloadOctets} bytes; read ${result.hashedFiles} file(s) not yet checksummed`,
    );
    return { exitCode: 0, unitUpdate: { workingPath } };
  },
};
