import { mkdir, rename } from "node:fs/promises";
import path from "node:path";
import { type KnownFile, writeBag } from "../bagit/index.ts";
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
    // writeBag asks for the checksums of a page of payload files at a time, in manifest order. The
    // size recorded with a checksum is that of the bytes it was taken from: the bag's Payload-Oxum
    // needs no stat of those files either, and store_aip reads every file back against the manifest.
    const knownDigests = async (bagPaths: string[]) => {
      const found = new Map<string, KnownFile>();
      const paths = bagPaths.filter((p) => p.startsWith("data/")).map((p) => p.slice("data/".length));
      for (const f of await ctx.store.filesAtPaths(ctx.unit.id, paths, { withoutCharacteristics: true }))
        if (f.sha256) found.set(`data/${f.path}`, { sha256: f.sha256, size: f.size });
      return found;
    };
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
