import path from "node:path";
import { type CharacterizerId, DEFAULT_CHARACTERIZATION, familyOf } from "../../workflows/format-policy.ts";
import { mapLimit } from "../core/concurrency.ts";
import type { EventOutcome, EventRecord, FileRecord } from "../core/model.ts";
import type { TaskModule } from "../core/task-module.ts";
import { hasTool } from "../preservation/exec.ts";
import { closeExifTool, exiftoolVersion, readExifTagsMany } from "../preservation/exiftool.ts";
import { ffprobe, ffprobeVersion, mediainfoMany } from "../preservation/media-tools.ts";
import { fileEvent } from "./events.ts";

/** ffprobe runs (one file each) at once within a batch. */
const FFPROBE_CONCURRENCY = 2;

const absolutePath = (unitPath: string, file: FileRecord) => path.join(unitPath, ...file.path.split("/"));

/**
 * Characterize and extract metadata: per the format policy, ExifTool (one persistent process per
 * worker), MediaInfo (one run per batch) and ffprobe (audio/video). The output of each tool is kept
 * on the file (characteristics, keyed by tool) for the METS objectCharacteristicsExtension, and a
 * "metadata extraction" event names the tools. A tool failing on a file is recorded (event outcome
 * "failure", stderr) but does not fail the transfer: characterization describes, it does not gate.
 */
export const characterize: TaskModule = {
  name: "characterize",
  command: "characterize (exiftool, mediainfo --Output=JSON, ffprobe)",
  dispose: closeExifTool,
  async run(ctx) {
    const plans = ctx.files.map((file) => {
      const match = familyOf(file);
      return {
        file,
        abs: absolutePath(ctx.unitPath, file),
        tools: match?.family.characterization ?? DEFAULT_CHARACTERIZATION,
      };
    });
    const wants = (tool: CharacterizerId) => plans.filter((p) => p.tools.includes(tool));
    const results = new Map<string, Record<string, unknown>>(plans.map((p) => [p.file.id, {}]));
    const problems = new Map<string, string[]>(plans.map((p) => [p.file.id, []]));
    const note = (fileId: string, text: string) => problems.get(fileId)!.push(text);
    const versions: Partial<Record<CharacterizerId, string>> = {};

    const exif = wants("exiftool");
    if (exif.length > 0) versions.exiftool = await exiftoolVersion();
    const tags = await readExifTagsMany(exif.map((p) => p.abs));
    for (const p of exif) {
      const found = tags.get(p.abs);
      if (found instanceof Error || !found) note(p.file.id, `exiftool: ${found?.message ?? "no output"}`);
      else results.get(p.file.id)!.exiftool = found;
    }

    const media = wants("mediainfo");
    if (media.length > 0) {
      const info = await mediainfoMany(
        media.map((p) => p.abs),
        ctx.signal,
      );
      versions.mediainfo = info.version || "unknown";
      for (const p of media) {
        const found = info.byFile.get(p.abs);
        if (found) results.get(p.file.id)!.mediainfo = found;
        else note(p.file.id, `mediainfo: ${info.failure ?? "no report for this file"}`);
      }
    }

    const probe = wants("ffprobe");
    if (probe.length > 0 && (await hasTool("ffprobe", ["-version"]))) {
      versions.ffprobe = await ffprobeVersion();
      await mapLimit(probe, FFPROBE_CONCURRENCY, async (p) => {
        try {
          results.get(p.file.id)!.ffprobe = await ffprobe(p.abs, ctx.signal);
        } catch (error) {
          note(p.file.id, `ffprobe: ${(error as Error).message.split("\n")[0]}`);
        }
      });
    } else for (const p of probe) note(p.file.id, "ffprobe: not installed");

    const fileUpdates: Array<Pick<FileRecord, "id" | "characteristics">> = [];
    const events: EventRecord[] = [];
    for (const p of plans) {
      const output = results.get(p.file.id)!;
      const issues = problems.get(p.file.id)!;
      for (const issue of issues) ctx.stderr(`${p.file.path}: ${issue}`);
      const ran = Object.keys(output) as CharacterizerId[];
      // The store merges this into what the file already has (jsonb ||): other tools' output stays.
      if (ran.length > 0) fileUpdates.push({ id: p.file.id, characteristics: output });
      const outcome: EventOutcome = ran.length === 0 ? "failure" : issues.length > 0 ? "warning" : "success";
      events.push(
        fileEvent(ctx, p.file, "metadata extraction", {
          detail: p.tools.map((t) => `program="${t}"; version="${versions[t] ?? "not run"}"`).join("; "),
          outcome,
          outcomeDetail: issues.length > 0 ? issues.join("; ") : `extracted with ${ran.join(", ")}`,
        }),
      );
    }
    ctx.stdout(`characterized ${fileUpdates.length} of ${plans.length} file(s)`);
    return { exitCode: 0, fileUpdates, events };
  },
};
