import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { isDeepStrictEqual } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { followToEnd } from "../../../functions/cli/follow.ts";
import { openRuntime, type Runtime } from "../../../functions/cli/runtime.ts";
import { startTransfer } from "../../../functions/core/start-transfer.ts";
import type { TaskModule, TaskOutcome } from "../../../functions/core/task-module.ts";
import { closeExifTool } from "../../../functions/preservation/exiftool.ts";
import { TASK_MODULES } from "../../../functions/tasks/index.ts";
import { PRESETS, resolveConfig } from "../../../workflows/processing-config.ts";
import { pngBytes, tempDir } from "../../helpers/fixtures.ts";
import { nestedPackage } from "./fixtures.ts";

/**
 * Every task module, run twice on the same input, gives the same outcome — the retry after a crash
 * between a module's work and the recording of its result. Table-driven over TASK_MODULES: each
 * module is wrapped so that, inside real pipeline runs, every task runs the module twice back to
 * back (the second run sees the first one's files on disk, not its records), the two outcomes are
 * compared, and the second is recorded. The runs must still complete (or be rejected) as usual.
 */
interface Comparison {
  runs: number;
  differences: string[];
}
const seen = new Map<string, Comparison>();
let root: string;
let rt: Runtime;

/** Outcomes as the store would record them (dates as ISO text); creation times are not part of a result. */
function comparable(outcome: TaskOutcome, stderr: string[]): unknown {
  const json = JSON.parse(JSON.stringify({ ...outcome, stderr }));
  for (const record of [
    ...(json.newFiles ?? []),
    ...(json.newUnits ?? []),
    ...(json.aip ? [json.aip] : []),
  ]) {
    for (const key of ["createdAt", "updatedAt", "verifiedAt"]) delete record[key];
  }
  return json;
}

/** Where two renderings part, with some context: enough to see what changed. */
function firstDifference(a: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  return `…${a.slice(Math.max(0, i - 150), i + 100)}… vs …${b.slice(Math.max(0, i - 150), i + 100)}…`;
}

function twice(module: TaskModule): TaskModule {
  return {
    ...module,
    async run(ctx) {
      const firstErr: string[] = [];
      const first = await module.run({ ...ctx, stdout: () => {}, stderr: (l) => firstErr.push(l) });
      const secondErr: string[] = [];
      const second = await module.run({
        ...ctx,
        stderr: (l) => {
          secondErr.push(l);
          ctx.stderr(l);
        },
      });
      const entry = seen.get(module.name) ?? { runs: 0, differences: [] };
      entry.runs += 1;
      const [a, b] = [comparable(first, firstErr), comparable(second, secondErr)];
      if (!isDeepStrictEqual(a, b))
        entry.differences.push(firstDifference(JSON.stringify(a), JSON.stringify(b)));
      seen.set(module.name, entry);
      return second;
    },
  };
}

beforeAll(async () => {
  root = await tempDir("idempotence");
  const modules = new Map([...TASK_MODULES].map(([name, m]) => [name, twice(m)]));
  rt = await openRuntime({ home: path.join(root, "home"), out: path.join(root, "aips"), modules });
});
afterAll(async () => {
  await rt.close();
  await closeExifTool();
  await rm(root, { recursive: true, force: true });
});

async function run(source: string, settings: string[]) {
  const config = resolveConfig(PRESETS.automated, settings);
  const { unit } = await startTransfer(rt, {
    name: path.basename(source),
    source: pathToFileURL(source).href,
    config,
    options: { sourceDateEpoch: 1_700_000_000 }, // event times from the clock, as with --deterministic
  });
  return followToEnd(rt, unit.id);
}

describe("every task module twice on the same input", () => {
  it("gives the same outcome, for all modules", async () => {
    const full = path.join(root, "full");
    await mkdir(path.join(full, "docs"), { recursive: true });
    await writeFile(path.join(full, "picture.png"), await pngBytes(12, 8, 2));
    await writeFile(path.join(full, "docs", "bad|name?.txt"), "renamed by clean-up\n");
    await writeFile(path.join(full, "package.zip"), (await nestedPackage(path.join(root, "nested"))).zip);
    const completed = await run(full, ["normalize=preservation", "dip=true", "aip_compression=zip"]);
    expect(completed.status, completed.reason ?? "").toBe("completed");

    const bad = path.join(root, "bad-checksum");
    await mkdir(path.join(bad, "metadata"), { recursive: true });
    await writeFile(path.join(bad, "a.txt"), "a\n");
    await writeFile(path.join(bad, "metadata", "checksum.md5"), `${"0".repeat(32)}  ../objects/a.txt\n`);
    const rejected = await run(bad, ["aip_compression=none"]);
    expect(rejected.status).toBe("rejected");

    const table = [...TASK_MODULES.keys()].sort().map((name) => ({
      module: name,
      "runs (each twice)": seen.get(name)?.runs ?? 0,
      "same outcome": seen.get(name) ? (seen.get(name)!.differences.length === 0 ? "yes" : "NO") : "not run",
    }));
    console.table(table);
    expect(
      table.filter((r) => r["runs (each twice)"] === 0).map((r) => r.module),
      "modules never run",
    ).toEqual([]);
    const differing = [...seen].filter(([, c]) => c.differences.length > 0);
    expect(differing.map(([name, c]) => `${name}: ${c.differences[0]}`)).toEqual([]);
  }, 180_000);
});
