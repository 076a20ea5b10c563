import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { descendants } from "../../../functions/core/process-tree.ts";
import { closeExifTool, exiftoolConfig, readExifTagsMany } from "../../../functions/preservation/exiftool.ts";
import { tempDir } from "../../helpers/fixtures.ts";

const run = promisify(execFile);
let root: string;
beforeAll(async () => {
  root = await tempDir("exiftool-config");
});
afterAll(async () => {
  await closeExifTool();
  await rm(root, { recursive: true, force: true });
});

describe("ExifTool's configuration", () => {
  it("asks Perl for File::StatX once: later requires answer from memory, whether it is installed or not", async () => {
    // The config's own logic, in the Perl ExifTool runs on: after it, require File::StatX succeeds
    // without searching @INC (a second require of a missing module would search and die again).
    const script = `do ${JSON.stringify(exiftoolConfig())} or die "config: $@"; require File::StatX; print exists $INC{"File/StatX.pm"} ? "remembered" : "absent"`;
    const { stdout } = await run("perl", ["-e", script]);
    expect(stdout).toBe("remembered");
  });

  it("is given to the ExifTool processes characterization starts, and their output is what ExifTool says alone", async () => {
    const file = path.join(root, "note.txt");
    await writeFile(file, "a line\nanother line\n");
    const tags = (await readExifTagsMany([file])).get(file);
    const withConfig = descendants()
      .map((pid) => readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0"))
      .filter((args) => args.includes("-stay_open"));
    expect(withConfig.length).toBeGreaterThan(0);
    for (const args of withConfig)
      expect(args.slice(args.indexOf("-config"), args.indexOf("-config") + 2)).toEqual([
        "-config",
        exiftoolConfig(),
      ]);
    const script = withConfig[0]!.find((arg) => arg.endsWith("exiftool"))!;
    const { stdout } = await run("perl", [script, "-fast", "--System:all", "-json", file]);
    const [alone] = JSON.parse(stdout) as Array<Record<string, unknown>>;
    const { SourceFile: _source, ...expected } = alone!;
    expect(tags).toEqual(expected);
  });

  it("starts its second process as soon as two requests wait, not 1.5 s later (batch-cluster's default)", async () => {
    await closeExifTool();
    const files: string[] = [];
    for (let i = 0; i < 256; i++) {
      files.push(path.join(root, `batch-${i}.txt`));
      await writeFile(files[i]!, `line ${i}\n`);
    }
    // Two requests of 128 files, both queued at once: each takes well under 1.5 s here.
    const tags = await readExifTagsMany(files);
    expect([...tags.values()].filter((t) => t instanceof Error)).toEqual([]);
    const processes = descendants().filter((pid) =>
      readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").includes("-stay_open"),
    );
    expect(processes).toHaveLength(2);
  });
});
