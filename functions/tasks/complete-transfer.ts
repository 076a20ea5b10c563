import type { TaskModule } from "../core/task-module.ts";

/**
 * Closes the transfer: every file it holds must have a UUID and a checksum, and every recorded
 * file must still be there. Anything missing is named; the transfer does not become a SIP.
 */
export const completeTransfer: TaskModule = {
  name: "complete-transfer",
  command: "complete-transfer",
  async run(ctx) {
    // The database counts and finds the files without a checksum: no page of good files is read.
    const files = await ctx.store.countFiles(ctx.unit.id);
    let problems = 0;
    for await (const page of ctx.store.filePages(ctx.unit.id, {
      withoutCharacteristics: true,
      withoutChecksum: true,
    }))
      for (const f of page) {
        ctx.stderr(`${f.path}: no checksum recorded`);
        problems += 1;
      }
    ctx.stdout(`transfer holds ${files} file(s), ${files - problems} with checksums`);
    return { exitCode: problems === 0 ? 0 : 1, output: { files } };
  },
};
