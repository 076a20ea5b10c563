import { spawn } from "node:child_process";
import { once } from "node:events";
import { chmod, mkdir, readdir, readFile, rm, stat, symlink } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FolderObjectStore } from "../../../functions/adapters/local/folder-object-store.ts";
import { aslWithTimeouts, parseJobTimeouts, withTimeout } from "../../../functions/core/job-timeouts.ts";
import type { JobRecord } from "../../../functions/core/model.ts";
import type { TaskContext } from "../../../functions/core/task-module.ts";
import { partialPathOf } from "../../../functions/core/temp-name.ts";
import { assignChecksums } from "../../../functions/tasks/assign-checksums.ts";
import { recordFailure } from "../../../functions/tasks/record-failure.ts";
import { stageTransfer } from "../../../functions/tasks/stage-transfer.ts";
import { resetToolInvocationCounts, toolInvocationCounts } from "../../../functions/tools/run-tool.ts";
import { compiled, findJob } from "../../../workflows/index.ts";
import { tempDir } from "../../helpers/fixtures.ts";
import { UnitState } from "./context.ts";
import { put } from "./fixtures.ts";

/** Unit tests for the fixes the reliability tests (test/reliability) led to. */
let root: string;
beforeEach(async () => {
  root = await tempDir("reliability-fixes");
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

const job = (id: string, name: string, microservice: string, description: string) =>
  ({ id, name, microservice, description, status: "running", exitCode: null }) as JobRecord;

describe("record-failure after a state timeout", () => {
  it("names the job that timed out, not itself (it is running too)", async () => {
    const scan = job("j1", "scan_for_viruses", "Scan for viruses", "Scan for viruses (ClamAV)");
    const self = job("j2", "record_failure", "Failed", "Record why the unit failed");
    const ctx = {
      unit: { id: "u" },
      job: self,
      task: { arguments: ["States.Timeout", "timed out after 3 s"] },
      store: { listJobs: async () => [scan, self], listTasks: async () => [] },
      stderr: () => {},
    } as unknown as TaskContext;
    const outcome = await recordFailure.run(ctx);
    expect(outcome.unitUpdate).toEqual({
      status: "failed",
      reason: "Scan for viruses / Scan for viruses (ClamAV): timed out after 3 s",
    });
  });
});

describe("stage-transfer", () => {
  it("names every link it refuses, and a rerun after staging reports the same count", async () => {
    const source = path.join(root, "deposit");
    await put(path.join(source, "a.txt"), "a\n");
    await symlink("/etc/passwd", path.join(source, "escape"));
    await symlink("loop", path.join(source, "loop"));
    const refused = new UnitState(path.join(root, "work", "refused"));
    refused.unit.source = pathToFileURL(source).href;
    const { outcome, stderr } = await refused.run(stageTransfer);
    expect(outcome.exitCode).toBe(1);
    expect(stderr).toEqual([
      "escape: symbolic link not allowed in a transfer",
      "loop: symbolic link not allowed in a transfer",
    ]);

    await rm(path.join(source, "escape"));
    await rm(path.join(source, "loop"));
    const state = new UnitState(path.join(root, "work", "staged"));
    state.unit.source = pathToFileURL(source).href;
    const first = await state.run(stageTransfer);
    const again = await state.run(stageTransfer);
    expect(first.outcome).toEqual({ exitCode: 0, output: { stagedFiles: 1 } });
    expect(again.outcome).toEqual(first.outcome);
  });
});

describe("stage-transfer copies", () => {
  /** Every file under root (relative path and content), sorted. */
  async function tree(root: string): Promise<string[]> {
    const found: string[] = [];
    for (const rel of (await readdir(root, { recursive: true, withFileTypes: true }))
      .filter((d) => d.isFile())
      .map((d) => path.relative(root, path.join(d.parentPath, d.name)))
      .sort())
      found.push(`${rel}=${await readFile(path.join(root, rel), "utf8")}`);
    return found;
  }

  it("with cp and file by file (no cp on the PATH), into the same layout", async () => {
    const source = path.join(root, "deposit");
    await put(path.join(source, "letters", "a.txt"), "a\n");
    await put(path.join(source, "b c.txt"), "b\n");
    await put(path.join(source, "-dash.txt"), "dash\n");
    await put(path.join(source, "metadata", "metadata.csv"), "filename\n");
    await put(path.join(source, "submissionDocumentation", "deed.txt"), "deed\n");
    await put(path.join(source, "processingMCP.xml"), "<processingMCP/>\n");
    const staged = async (name: string) => {
      const state = new UnitState(path.join(root, "work", name));
      state.unit.source = pathToFileURL(source).href;
      const { outcome } = await state.run(stageTransfer);
      expect(outcome).toEqual({ exitCode: 0, output: { stagedFiles: 6 } });
      return tree(state.unitPath);
    };
    resetToolInvocationCounts();
    const byCp = await staged("cp");
    // Into objects/ (three entries: two cp), metadata/ (one: one cp) and the top (two: two cp).
    expect(toolInvocationCounts().get("cp")).toBe(5);
    const path_ = process.env.PATH;
    process.env.PATH = root; // no cp here
    let oneByOne: string[];
    try {
      oneByOne = await staged("each");
    } finally {
      process.env.PATH = path_;
    }
    expect(byCp).toEqual([
      "metadata/metadata.csv=filename\n",
      "metadata/submissionDocumentation/deed.txt=deed\n",
      "objects/-dash.txt=dash\n",
      "objects/b c.txt=b\n",
      "objects/letters/a.txt=a\n",
      "processingMCP.xml=<processingMCP/>\n",
    ]);
    expect(oneByOne).toEqual(byCp);
  });

  it("a deposit of one folder in cp runs side by side too, its entries shared between them", async () => {
    const source = path.join(root, "deposit");
    await put(path.join(source, "objects", "a.txt"), "a\n");
    await put(path.join(source, "objects", "b", "c.txt"), "c\n");
    await mkdir(path.join(source, "objects", "empty"));
    await chmod(path.join(source, "objects"), 0o750);
    const state = new UnitState(path.join(root, "work", "unit"));
    state.unit.source = pathToFileURL(source).href;
    resetToolInvocationCounts();
    const { outcome } = await state.run(stageTransfer);
    expect(outcome).toEqual({ exitCode: 0, output: { stagedFiles: 2 } });
    // objects/ alone is spread: a.txt, b/ and empty/ go to two cp runs.
    expect(toolInvocationCounts().get("cp")).toBe(2);
    expect(await tree(state.unitPath)).toEqual(["objects/a.txt=a\n", "objects/b/c.txt=c\n"]);
    const objects = await stat(path.join(state.unitPath, "objects"));
    expect(objects.mode & 0o777).toBe(0o750 & ~process.umask());
    expect((await stat(path.join(state.unitPath, "objects", "empty"))).isDirectory()).toBe(true);
  });

  it("file by file again when one of the cp runs side by side fails", async () => {
    const source = path.join(root, "deposit");
    await put(path.join(source, "a-good", "a.txt"), "a\n");
    await put(path.join(source, "b-bad", "b.txt"), "b\n");
    // A cp that fails on the second run's entry (as on an unreadable file) and copies the rest.
    const bin = path.join(root, "bin");
    await put(
      path.join(bin, "cp"),
      `#!${process.execPath}\n` +
        `const args = process.argv.slice(2);\n` +
        `if (args.some((a) => a.endsWith("b-bad"))) process.exit(1);\n` +
        `const run = require("node:child_process").spawnSync("/bin/cp", args, { stdio: "inherit" });\n` +
        `process.exit(run.status ?? 1);\n`,
    );
    await chmod(path.join(bin, "cp"), 0o755);
    const state = new UnitState(path.join(root, "work", "unit"));
    state.unit.source = pathToFileURL(source).href;
    const path_ = process.env.PATH;
    process.env.PATH = `${bin}:${path_}`;
    resetToolInvocationCounts();
    let outcome: Awaited<ReturnType<typeof state.run>>["outcome"];
    try {
      ({ outcome } = await state.run(stageTransfer));
    } finally {
      process.env.PATH = path_;
    }
    expect(toolInvocationCounts().get("cp")).toBe(2);
    expect(outcome).toEqual({ exitCode: 0, output: { stagedFiles: 2 } });
    expect(await tree(state.unitPath)).toEqual(["objects/a-good/a.txt=a\n", "objects/b-bad/b.txt=b\n"]);
  });

  it("into a folder of its own: earlier attempts' folders go, and a copy still writing into one reaches nothing", async () => {
    const source = path.join(root, "deposit");
    await put(path.join(source, "a.txt"), "a\n");
    const state = new UnitState(path.join(root, "work", "unit"));
    state.unit.source = pathToFileURL(source).href;
    const leftovers = [`${state.unitPath}.partial`, `${state.unitPath}.0badc0de.partial`];
    for (const folder of leftovers) await put(path.join(folder, "objects", "junk.txt"), "junk\n");
    // A killed attempt's cp, still running in a process of its own: it writes new files into its
    // folder by path, as fast as it can, never making folders. Removing that folder in place loses
    // the race (files land between rm's listing and its rmdir: ENOTEMPTY) in 48 of 50 tries.
    const late = path.join(leftovers[0]!, "objects", "late");
    const orphan = spawn(process.execPath, ["-e", ORPHAN_WRITER, late], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let report = "";
    orphan.stdout.on("data", (chunk) => (report += chunk));
    await once(orphan.stdout, "data"); // writing
    try {
      const { outcome } = await state.run(stageTransfer);
      expect(outcome).toEqual({ exitCode: 0, output: { stagedFiles: 1 } });
      await new Promise((resolve) => setTimeout(resolve, 30));
    } finally {
      orphan.kill("SIGTERM");
      await once(orphan, "close");
    }
    const refused = Number(report.trim().split("\n").at(-1));
    expect(refused, report).toBeGreaterThan(0); // it went on writing after its folder was removed
    expect(await tree(state.unitPath)).toEqual(["objects/a.txt=a\n"]);
    expect(await readdir(path.join(root, "work"))).toEqual(["unit"]);
  });
});

/**
 * Writes argv[1]-1, argv[1]-2, … as fast as it can, like a cp working through a folder; prints
 * "writing" once, then at SIGTERM the count of writes refused (its folder gone).
 */
const ORPHAN_WRITER = `
const fs = require("node:fs");
let refused = 0;
let written = 0;
process.stdout.write("writing\\n");
process.on("SIGTERM", () => process.stdout.write(refused + "\\n", () => process.exit(0)));
(function loop() {
  for (let i = 0; i < 200; i++) {
    try { fs.writeFileSync(process.argv[1] + "-" + ++written, "late\\n"); } catch { refused++; }
  }
  setImmediate(loop);
})();
`;

describe("temporary names", () => {
  it("stay within 255 bytes for a 255-byte name, and the same each time", async () => {
    const long = path.join(root, `${"é".repeat(125)}.txt`);
    const temp = partialPathOf(long);
    expect(Buffer.byteLength(path.basename(temp))).toBeLessThanOrEqual(255);
    expect(path.dirname(temp)).toBe(root);
    expect(partialPathOf(long)).toBe(temp);
    expect(partialPathOf(path.join(root, "short.txt"))).toBe(path.join(root, "short.txt.partial"));
  });

  it("a folder AIP store keeps a file with a 255-byte name (and lists no temporary file)", async () => {
    const name = `${"n".repeat(251)}.txt`;
    const source = await put(path.join(root, "src", name), "long name\n");
    const store = new FolderObjectStore(path.join(root, "aips"));
    await store.putFile(`aip/data/${name}`, source);
    expect(await readFile(path.join(root, "aips", "aip", "data", name), "utf8")).toBe("long name\n");
    expect(await readdir(path.join(root, "aips", "aip", "data"))).toEqual([name]);
  });
});

describe("assign-checksums", () => {
  it("lists updates and events in batch order whatever order the hashing finishes in", async () => {
    const unitPath = path.join(root, "unit");
    await put(path.join(unitPath, "objects", "big.bin"), Buffer.alloc(8 << 20, 1));
    for (let i = 0; i < 12; i++) await put(path.join(unitPath, "objects", `small-${i}.txt`), `${i}\n`);
    const state = new UnitState(unitPath);
    const { assignFileUuids } = await import("../../../functions/tasks/assign-file-uuids.ts");
    await state.run(assignFileUuids);
    const batch = state.listFiles();
    const { outcome } = await state.run(assignChecksums, batch, { apply: false });
    expect(outcome.fileUpdates!.map((u) => u.id)).toEqual(batch.map((f) => f.id));
    expect(outcome.events!.map((e) => e.fileId)).toEqual(batch.map((f) => f.id));
  });
});

describe("job timeout overrides", () => {
  it("parse, apply to a declaration and to the ASL, and refuse unknown jobs", () => {
    const overrides = parseJobTimeouts(" scan_for_viruses=3, stage_transfer=60 ");
    expect(overrides).toEqual({ scan_for_viruses: 3, stage_transfer: 60 });
    expect(withTimeout(findJob("scan_for_viruses")!, overrides)).toMatchObject({
      timeoutSeconds: 3,
      heartbeatSeconds: 2,
    });
    const asl = aslWithTimeouts(compiled("transfer"), overrides);
    // Heartbeats stay strictly under the timeout, as the States Language requires.
    expect(asl.States.scan_for_viruses).toMatchObject({ TimeoutSeconds: 3, HeartbeatSeconds: 2 });
    const oneSecond = aslWithTimeouts(compiled("transfer"), { scan_for_viruses: 1 });
    expect(oneSecond.States.scan_for_viruses).toMatchObject({ TimeoutSeconds: 1 });
    expect(oneSecond.States.scan_for_viruses).not.toHaveProperty("HeartbeatSeconds");
    expect(asl.States.assign_checksums).toEqual(compiled("transfer").States.assign_checksums);
    expect(() => parseJobTimeouts("nope=3")).toThrow('no job named "nope"');
    expect(() => parseJobTimeouts("scan_for_viruses=0")).toThrow("whole number of seconds");
    expect(parseJobTimeouts(undefined)).toEqual({});
  });
});
