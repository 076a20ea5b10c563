import path from "node:path";
import { mapLimit } from "../core/concurrency.ts";
import { statFile } from "../core/inline-fs.ts";
import type { FileRecord } from "../core/model.ts";
import type { TaskModule } from "../core/task-module.ts";

/** Files checked at once: one at a time, the job mostly waited on libuv's thread pool. */
const CHECKS_AT_ONCE = 16;

/** Checks that the SIP holds every file its records name, with the recorded size. */
export const verifySipCompliance: TaskModule = {
  name: "verify-sip-compliance",
  command: "verify-sip-compliance",
  async run(ctx) {
    const problems: string[] = [];
    let files = 0;
    for await (const page of ctx.store.filePages(ctx.unit.id, { withoutCharacteristics: true })) {
      files += page.length;
      const check = async (f: FileRecord) => {
        const s = await statFile(path.join(ctx.unitPath, ...f.path.split("/"))).catch(() => null);
        if (!s?.isFile()) return `${f.path}: recorded but missing from the SIP`;
        if (s.size !== f.size) return `${f.path}: size ${s.size} differs from the recorded ${f.size}`;
        return null;
      };
      for (const problem of await mapLimit(page, CHECKS_AT_ONCE, check)) if (problem) problems.push(problem);
    }
    if (files === 0) problems.unshift("objects/: the SIP holds no files");
    for (const p of problems) ctx.stderr(p);
    ctx.stdout(`SIP holds ${files} file(s); ${problems.length} problem(s)`);
    return { exitCode: problems.length === 0 ? 0 : 1 };
  },
};
