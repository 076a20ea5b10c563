import { copyFile, mkdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import { mapLimit } from "../core/concurrency.ts";
import type { TaskContext, TaskModule } from "../core/task-module.ts";
import { partialPathOf } from "../core/temp-name.ts";
import type { ObjectStore } from "../ports/object-store.ts";
import { absolute, aipName } from "./aip-layout.ts";
import { exists, listRegularFiles } from "./fs-walk.ts";
import { metsPathOf } from "./generate-mets.ts";
import { checkFixity, STORE_CONCURRENCY } from "./stored-fixity.ts";

/** Where access copies wait in the SIP until move-dip takes them out (they never enter the AIP). */
export const DIP_FOLDER = "DIP";

/** Working-storage folder of the unit's DIP while it is assembled, relative to the working root. */
export const dipWorkingPath = (unit: TaskContext["unit"]) => `dips/${aipName(unit)}`;

/** The DIP store, or the AIP store under "dips/" when the runtime has no separate one. */
function dipStore(ctx: TaskContext): { store: ObjectStore; prefix: string } {
  return ctx.dips ? { store: ctx.dips, prefix: "" } : { store: ctx.objects, prefix: "dips/" };
}

/**
 * Takes the access copies (DIP/ in the SIP) out before the AIP is bagged: access copies are not
 * preserved. With dip=true they go to dips/<name>-<uuid>/objects/ with, for each original that has no
 * access derivative, a copy of the original, and the AIP METS; with dip=false they are removed.
 */
export const moveDip: TaskModule = {
  name: "move-dip",
  command: "move-dip",
  async run(ctx) {
    const inSip = path.join(ctx.unitPath, DIP_FOLDER);
    const staging = absolute(ctx.workRoot, dipWorkingPath(ctx.unit));
    if (!ctx.config.dip) {
      await rm(inSip, { recursive: true, force: true });
      ctx.stdout("dip is false: access copies, if any, removed (they are not part of the AIP)");
      return { exitCode: 0 };
    }
    if (await exists(inSip)) {
      await rm(staging, { recursive: true, force: true });
      await mkdir(path.dirname(staging), { recursive: true });
      await rename(inSip, staging);
    }
    await mkdir(path.join(staging, "objects"), { recursive: true });
    // Two passes over the pages: the originals that have an access copy (ids only), then the others copied.
    const withAccessCopy = new Set<string>();
    for await (const page of ctx.store.filePages(ctx.unit.id, { withoutCharacteristics: true }))
      for (const f of page) if (f.group === "access" && f.derivedFrom) withAccessCopy.add(f.derivedFrom);
    let copies = 0;
    for await (const page of ctx.store.filePages(ctx.unit.id, { withoutCharacteristics: true }))
      for (const file of page) {
        if (file.group !== "original" || withAccessCopy.has(file.id)) continue;
        const target = path.join(staging, ...file.path.split("/"));
        await mkdir(path.dirname(target), { recursive: true });
        await copyFile(path.join(ctx.unitPath, ...file.path.split("/")), partialPathOf(target));
        await rename(partialPathOf(target), target);
        copies += 1;
      }
    const mets = metsPathOf("aip", ctx.unit.id);
    await copyFile(path.join(ctx.unitPath, mets), path.join(staging, mets));
    ctx.stdout(
      `DIP assembled at ${dipWorkingPath(ctx.unit)}: ${withAccessCopy.size} access derivative(s), ${copies} original(s) copied, ${mets}`,
    );
    return { exitCode: 0 };
  },
};

/**
 * Stores the assembled DIP under `<name>-<uuid>/` in the DIP store. Objects of a store that did not
 * hash what it stored (S3) are read again and compared with the files sent; a folder store hashed
 * the bytes as it stored them, which is all there is to know of them.
 */
export const uploadDip: TaskModule = {
  name: "upload-dip",
  command: "upload-dip",
  async run(ctx) {
    const staging = absolute(ctx.workRoot, dipWorkingPath(ctx.unit));
    const { store, prefix } = dipStore(ctx);
    const name = `${prefix}${aipName(ctx.unit)}`;
    if (!(await exists(staging))) {
      ctx.stderr(`upload-dip: ${dipWorkingPath(ctx.unit)} is missing (move-dip did not run with dip=true)`);
      return { exitCode: 1 };
    }
    const rels = await listRegularFiles(staging);
    const stored = await mapLimit(rels, STORE_CONCURRENCY, async (rel) => {
      ctx.signal.throwIfAborted();
      // The staged DIP is not written again (clean-up deletes it): the store may keep its files themselves.
      return store.putFile(`${name}/${rel}`, path.join(staging, ...rel.split("/")), { handOver: true });
    });
    // A store that hashed the bytes as it stored them (a folder) gave the digest of what it holds,
    // and the staged DIP has no other digest to compare it with: comparing that digest with itself
    // would check nothing. An object sent to a store that did not (S3) is read back and compared
    // with the digest of the file sent.
    const sent = stored.filter((object) => !object.storedBytesHashed);
    const expected = new Map(sent.map((object) => [object.key, object.sha256]));
    const { mismatches } = await checkFixity(store, sent, expected, ctx.signal);
    for (const m of mismatches) ctx.stderr(`upload-dip: fixity check failed after storing: ${m}`);
    const location = store.locationOf(name);
    const fixity =
      sent.length > 0
        ? `${sent.length} object(s) read back and compared with the files sent`
        : "the store hashed each file as it stored it";
    ctx.stdout(`stored the DIP (${rels.length} file(s)) at ${location}; ${fixity}`);
    return { exitCode: mismatches.length ? 1 : 0, output: { dipLocation: location } };
  },
};
