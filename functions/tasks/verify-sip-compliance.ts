import { stat } from "node:fs/promises";
import path from "node:path";
import type { TaskModule } from "../core/task-module.ts";

/** Checks that the SIP holds every file its records name, with the recorded size. */
export const verifySipCompliance: TaskModule = {
  name: "verify-sip-compliance",
  command: "verify-sip-compliance",
  async run(ctx) {
    const problems: string[] = [];
    let files = 0;
    for await (const page of ctx.store.filePages(ctx.unit.id, { withoutCharacteristics: true })) {
      files += page.length;
      for (const f of page) {
        const s = await stat(path.join(ctx.unitPath, ...f.path.split("/"))).catch(() => null);
        if (!s?.isFile()) problems.push(`${f.path}: recorded but missing from the SIP`);
        else if (s.size !== f.size)
          problems.push(`${f.path}: size ${s.size} differs from the recorded ${f.size}`);
      }
    }
    if (files === 0) problems.unshift("objects/: the SIP holds no files");
    for (const p of problems) ctx.stderr(p);
    ctx.stdout(`SIP holds ${files} file(s); ${problems.length} problem(s)`);
    return { exitCode: problems.length === 0 ? 0 : 1 };
  },
};
