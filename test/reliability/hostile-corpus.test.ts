import { mkdir, readFile, rm } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { validateBag } from "../../functions/bagit/index.ts";
import { transferName } from "../../functions/cli/commands/run.ts";
import { followToEnd, type RunSummary } from "../../functions/cli/follow.ts";
import { openRuntime, type Runtime } from "../../functions/cli/runtime.ts";
import { mapLimit } from "../../functions/core/concurrency.ts";
import { sipIdOf } from "../../functions/core/ids.ts";
import { startTransfer } from "../../functions/core/start-transfer.ts";
import { PRESETS, resolveConfig } from "../../workflows/processing-config.ts";
import { tempDir } from "../helpers/fixtures.ts";
import { snapshot } from "../unit/archives/fixtures.ts";
import { type HostileCase, hostileCorpus } from "./hostile-cases.ts";

/**
 * Every hostile case runs through the whole pipeline (transfer and ingest) in one embedded runtime.
 * Each is either processed correctly (every original in the AIP, byte-identical) or rejected with a
 * reason naming the file; nothing is written outside the working folder (the `outside` folder and
 * the generated cases stay exactly as they were); no case crashes the process. Prints a table.
 */
let root: string;
let rt: Runtime;
const out = () => path.join(root, "aips");

beforeAll(async () => {
  root = await tempDir("hostile");
  rt = await openRuntime({ home: path.join(root, "home"), out: out() });
});
afterAll(async () => {
  await rt?.close();
  await rm(root, { recursive: true, force: true });
});

interface Row {
  case: string;
  expected: string;
  outcome: string;
  detail: string;
  problem: string | null;
}

async function runCase(c: HostileCase): Promise<{ summary: RunSummary; problem: string | null }> {
  const config = resolveConfig(PRESETS.automated, ["aip_compression=none", ...(c.settings ?? [])]);
  const { unit } = await startTransfer(rt, {
    name: transferName(c.source),
    source: pathToFileURL(c.source).href,
    config,
  });
  const summary = await followToEnd(rt, unit.id);
  return { summary, problem: await checkCase(c, summary, unit.id) };
}

/** What is wrong with a case's outcome, or null. */
async function checkCase(c: HostileCase, summary: RunSummary, transferId: string): Promise<string | null> {
  if (summary.status !== c.expect) return `expected ${c.expect}, got ${summary.status}: ${summary.reason}`;
  if (c.expect !== "completed") {
    return summary.reason?.includes(c.names!) ? null : `the reason does not name "${c.names}"`;
  }
  const aip = path.resolve(out(), summary.aip!);
  const bag = await validateBag(aip);
  if (!bag.valid)
    return `invalid AIP bag: ${bag.problems
      .slice(0, 2)
      .map((p) => JSON.stringify(p))
      .join("; ")}`;
  const stored = new Map(
    (await rt.store.listFiles(sipIdOf(transferId)))
      .filter((f) => f.group === "original")
      .map((f) => [f.originalPath, f.path]),
  );
  for (const [original, bytes] of c.originals) {
    const at = stored.get(original);
    if (!at) return `${JSON.stringify(original)} is not among the AIP's originals`;
    const copy = await readFile(path.join(aip, "data", ...at.split("/"))).catch(() => null);
    if (!copy?.equals(bytes))
      return `${JSON.stringify(original)} (at ${at}) is not byte-identical in the AIP`;
  }
  return null;
}

describe("hostile corpus", () => {
  it("each case is processed correctly or rejected naming the file; nothing written outside", async () => {
    const outside = path.join(root, "outside");
    await mkdir(outside);
    const cases = await hostileCorpus(path.join(root, "cases"), outside);
    const before = await snapshot(path.join(root, "cases"));

    const rows: Row[] = await mapLimit(cases, 6, async (c) => {
      let outcome = "crashed";
      let detail = "";
      let problem: string | null;
      try {
        const result = await runCase(c);
        outcome = result.summary.status;
        detail = result.summary.reason ?? `${result.summary.files} file(s) in the AIP`;
        problem = result.problem;
      } catch (error) {
        problem = `crashed: ${(error as Error).stack ?? error}`;
      }
      return { case: c.name, expected: c.expect, outcome, detail: clip(detail), problem };
    });
    console.table(rows.map(({ problem, ...row }) => ({ ...row, ok: problem === null ? "yes" : "NO" })));

    expect(rows.filter((r) => r.problem !== null).map((r) => `${r.case}: ${r.problem}`)).toEqual([]);
    expect(await snapshot(outside), "files written outside the working folder").toEqual([]);
    expect(await snapshot(path.join(root, "cases")), "the deposits were changed").toEqual(before);
  }, 180_000);
});

function clip(text: string): string {
  const flat = text.replace(/\s+/g, " ");
  return flat.length > 110 ? `${flat.slice(0, 107)}…` : flat;
}
