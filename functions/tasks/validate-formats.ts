import path from "node:path";
import { familyOf } from "../../workflows/format-policy.ts";
import { mapLimit } from "../core/concurrency.ts";
import type { EventRecord } from "../core/model.ts";
import type { TaskModule } from "../core/task-module.ts";
import { runValidator, VALIDATORS } from "../preservation/validators/index.ts";
import { fileEvent } from "./events.ts";

/**
 * Validate formats: the format policy's checks per file (structure of PDF, PNG, JPEG, GIF, TIFF,
 * RIFF/WAV; XML well-formedness with libxml2; UTF-8 text; MediaConch for audio-visual files). Each
 * check that applies records a "validation" event, outcome success (pass) or failure (fail, with the
 * reason). Checks that do not apply (no rule for the format, MediaConch's N/A, a tool not installed)
 * record no event. As in Archivematica, an invalid file is recorded, not refused: exit code 0.
 */
export const validateFormats: TaskModule = {
  name: "validate-formats",
  command: "validate-formats (structure checks, xmllint, mediaconch)",
  async run(ctx) {
    // Per file, in the batch's order, whatever order the checks finish in.
    const eventsByFile: EventRecord[][] = ctx.files.map(() => []);
    const counts = { pass: 0, fail: 0, "not applicable": 0 };
    await mapLimit([...ctx.files.keys()], 4, async (index) => {
      const file = ctx.files[index]!;
      const events = eventsByFile[index]!;
      const validators = familyOf(file)?.family.validation ?? [];
      if (validators.length === 0) counts["not applicable"] += 1;
      for (const id of validators) {
        const abs = path.join(ctx.unitPath, ...file.path.split("/"));
        let verdict: Awaited<ReturnType<typeof runValidator>>;
        try {
          verdict = await runValidator(id, abs, ctx.signal);
        } catch (error) {
          if (ctx.signal.aborted) throw error;
          verdict = { outcome: "fail", detail: `cannot check: ${(error as Error).message}` };
        }
        counts[verdict.outcome] += 1;
        if (verdict.outcome === "fail") ctx.stderr(`${file.path}: ${id}: ${verdict.detail}`);
        if (verdict.outcome === "not applicable") continue;
        const validator = VALIDATORS[id];
        events.push(
          fileEvent(ctx, file, "validation", {
            key: id,
            detail: `program="${validator.program}"; version="${await validator.version()}"`,
            outcome: verdict.outcome === "pass" ? "success" : "failure",
            outcomeDetail: `${verdict.outcome}: ${verdict.detail}`,
          }),
        );
      }
    });
    ctx.stdout(
      `validated ${ctx.files.length} file(s): ${counts.pass} check(s) passed, ${counts.fail} failed, ${counts["not applicable"]} not applicable`,
    );
    return { exitCode: 0, events: eventsByFile.flat() };
  },
};
