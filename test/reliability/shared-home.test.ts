import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliProcess, killGroup, lastJson, spawnCli } from "../helpers/cli-process.ts";
import { tempDir } from "../helpers/fixtures.ts";
import {
  aipDigest,
  api,
  cliJson,
  ENV,
  expectMetsMatchesEvents,
  RUN_ARGS,
  smallTransfer,
  startServe,
  type UnitRow,
  unitRecords,
  waitForOwnerToStop,
} from "./shared-home.ts";

// Several stepmatica processes, each the real binary, on one home with the embedded database: the
// dashboard, five runs at once, `list` and `status` while they run. Nothing may be lost.
let root: string;
let home: string;
let out: string;
beforeAll(async () => {
  root = await tempDir("shared-home");
  home = path.join(root, "home");
  out = path.join(root, "aips");
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const FIVE = ["alpha", "bravo", "charlie", "delta", "echo"];
const list = async () => (await cliJson(["list"], home)).units as UnitRow[];

/** Starts one run per name; while they go, lists (CLI and dashboard) until each saw a run in progress. */
async function fiveRuns(
  names: string[],
  origin: string,
  onStarted?: (runs: Map<string, CliProcess>) => void,
) {
  const runs = new Map<string, CliProcess>();
  for (const name of names)
    runs.set(
      name,
      spawnCli(["run", await smallTransfer(root, name), "--out", out, ...RUN_ARGS], home, { env: ENV }),
    );
  onStarted?.(runs);
  let finished = false;
  const all = Promise.all([...runs.values()].map((r) => r.done)).finally(() => {
    finished = true;
  });
  const seen = { listRunning: false, dashboardRunning: false, dashboardNames: new Set<string>() };
  // Until the dashboard has shown every run (a run's unit appears only once its process has started).
  const seenAll = () =>
    seen.listRunning && seen.dashboardRunning && seen.dashboardNames.size === names.length;
  while (!finished && !seenAll()) {
    const [listed, page] = await Promise.all([
      list(),
      api<{ units: UnitRow[] }>(origin, "/api/units?limit=200"),
    ]);
    seen.listRunning ||= listed.some((u) => names.includes(u.name) && u.status === "running");
    seen.dashboardRunning ||= page.units.some((u) => names.includes(u.name) && u.status === "running");
    for (const u of page.units) if (names.includes(u.name)) seen.dashboardNames.add(u.name);
  }
  return { runs, results: await all, seen };
}

async function expectAllCompleted(names: string[], origin: string | null) {
  const units = (await list()).filter((u) => names.includes(u.name));
  expect(units.map((u) => `${u.name} ${u.type} ${u.status}`).sort()).toEqual(
    names.flatMap((n) => [`${n} sip completed`, `${n} transfer completed`]).sort(),
  );
  // `status` of each transfer (its SIP with it), all at once: five more processes on the home.
  const trees = await Promise.all(
    units.filter((u) => u.type === "transfer").map((u) => cliJson(["status", u.id], home)),
  );
  for (const tree of trees) {
    const shown = tree.units as Array<{
      name: string;
      type: string;
      status: string;
      microservices: unknown[];
    }>;
    expect(shown.map((u) => `${u.name} ${u.type} ${u.status}`)).toEqual([
      `${shown[0]!.name} transfer completed`,
      `${shown[0]!.name} sip completed`,
    ]);
    expect(shown.every((u) => u.microservices.length > 3)).toBe(true);
  }
  if (origin) {
    const page = await api<{ units: UnitRow[] }>(origin, "/api/units?limit=200");
    const shown = page.units.filter((u) => names.includes(u.name));
    expect(shown.map((u) => `${u.name} ${u.type} ${u.status}`).sort()).toEqual(
      names.flatMap((n) => [`${n} sip completed`, `${n} transfer completed`]).sort(),
    );
  }
  return units;
}

describe("one home, many processes", () => {
  it("serve and five concurrent runs: every unit completed in list, status and the dashboard after a restart; each METS matches the recorded events", async () => {
    const serve = await startServe(home, out);
    const { results, seen } = await fiveRuns(FIVE, serve.origin);
    for (const r of results) expect(r.code, r.out).toBe(0);
    expect(results.map((r) => lastJson(r.stdout)?.status)).toEqual(FIVE.map(() => "completed"));
    expect(seen.listRunning, "`list` showed runs in progress").toBe(true);
    expect(seen.dashboardRunning, "the dashboard showed runs started elsewhere as they ran").toBe(true);
    expect([...seen.dashboardNames].sort()).toEqual(FIVE);

    process.kill(serve.proc.child.pid!, "SIGTERM");
    expect((await serve.proc.done).code).toBe(0);
    const units = await expectAllCompleted(FIVE, null);
    const again = await startServe(home, out);
    try {
      await expectAllCompleted(FIVE, again.origin);
    } finally {
      process.kill(again.proc.child.pid!, "SIGTERM");
      await again.proc.done;
    }
    for (const r of results) {
      const aip = lastJson(r.stdout)!.aip as string;
      const sip = units.find((u) => u.type === "sip" && aip.endsWith(u.id))!;
      expect(await expectMetsMatchesEvents(home, aip, sip.id)).toBeGreaterThan(5);
    }
  }, 600_000);

  it("the same with one run SIGKILLed mid-way and resumed: it completes, and nothing of the others is lost or changed", async () => {
    const names = ["foxtrot", "golf", "hotel", "india", "juliett"];
    const serve = await startServe(home, out);
    let killed = false;
    const { results } = await fiveRuns(names, serve.origin, (started) => {
      const victim = started.get("golf")!;
      const check = setInterval(() => {
        // Mid-way: once it is past the transfer's first microservices.
        if (
          /Identify file format|Characterize and extract|Validate formats|Generate the transfer METS/.test(
            victim.output(),
          )
        ) {
          clearInterval(check);
          killGroup(victim.child);
          killed = true;
        }
      }, 20);
      victim.done.then(() => clearInterval(check));
    });
    expect(killed, "the run was killed mid-way").toBe(true);
    expect(results[1]!.signal).toBe("SIGKILL");
    for (const [i, r] of results.entries()) if (i !== 1) expect(r.code, r.out).toBe(0);
    process.kill(serve.proc.child.pid!, "SIGTERM");
    await serve.proc.done;

    const before = await list();
    const transferOf = (name: string) => before.find((u) => u.name === name && u.type === "transfer")!;
    const others = before.filter((u) => u.name !== "golf");
    const recordsBefore = await unitRecords(
      home,
      others.map((u) => u.id),
    );
    const digestsBefore = await Promise.all(
      others.filter((u) => u.type === "sip").map(async (u) => aipDigest(path.join(out, `${u.name}-${u.id}`))),
    );

    const resumed = await spawnCli(["resume", transferOf("golf").id, "--out", out, "--json"], home, {
      env: ENV,
    }).done;
    expect(resumed.code, resumed.out).toBe(0);
    expect(lastJson(resumed.stdout)?.status).toBe("completed");

    await expectAllCompleted([...FIVE, ...names], null);
    expect(
      await unitRecords(
        home,
        others.map((u) => u.id),
      ),
    ).toEqual(recordsBefore);
    expect(
      await Promise.all(
        others
          .filter((u) => u.type === "sip")
          .map(async (u) => aipDigest(path.join(out, `${u.name}-${u.id}`))),
      ),
    ).toEqual(digestsBefore);
    const golfSip = (await list()).find((u) => u.name === "golf" && u.type === "sip")!;
    expect(
      await expectMetsMatchesEvents(home, path.join(out, `golf-${golfSip.id}`), golfSip.id),
    ).toBeGreaterThan(5);
  }, 600_000);
});

describe("a command that cannot get the home's database", () => {
  it("says so in one sentence naming the home and what to do, exits 1, and changes nothing", async () => {
    const before = await list();
    const aipsBefore = await readdir(out);
    await waitForOwnerToStop(home); // idle: then the data folder is damaged behind its back
    const control = path.join(home, "db", "global", "pg_control");
    const intact = await readFile(control);
    await writeFile(control, Buffer.alloc(intact.length, 0x5a));
    try {
      const run = await spawnCli(
        ["run", await smallTransfer(root, "kilo"), "--out", out, ...RUN_ARGS],
        home,
        {
          env: ENV,
        },
      ).done;
      expect(run.code).toBe(1);
      const said = run.out.trim().split("\n");
      expect(said, run.out).toHaveLength(1);
      expect(said[0]).toMatch(
        new RegExp(
          `^stepmatica run: the embedded database of home ${home.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")} could not be opened \\(.+\\): restore .+ from a backup, or move it aside`,
        ),
      );
      expect(run.out).not.toMatch(/Aborted\(/);
    } finally {
      await waitForOwnerToStop(home);
      await writeFile(control, intact);
    }
    expect(await readdir(out)).toEqual(aipsBefore);
    expect(await list()).toEqual(before);
  }, 300_000);
});
