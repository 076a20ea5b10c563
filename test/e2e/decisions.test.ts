import { randomUUID } from "node:crypto";
import { readdir, rm } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { followToEnd } from "../../functions/cli/follow.ts";
import { openRuntime, type Runtime } from "../../functions/cli/runtime.ts";
import { sipIdOf } from "../../functions/core/ids.ts";
import { startTransfer } from "../../functions/core/start-transfer.ts";
import { DecisionStore } from "../../functions/core/store/decisions.ts";
import { localDashboardDeps } from "../../functions/dashboard/local-deps.ts";
import { createApiHandler } from "../../functions/dashboard/router.ts";
import { PRESETS, resolveConfig } from "../../workflows/processing-config.ts";
import { stepmatica } from "../helpers/cli.ts";
import { mixedTransfer, tempDir } from "../helpers/fixtures.ts";

let root: string;
let rt: Runtime;
beforeAll(async () => {
  root = await tempDir("decisions");
  rt = await openRuntime({ home: path.join(root, "home"), out: path.join(root, "aips") });
});
afterAll(async () => {
  await rt.close();
  await rm(root, { recursive: true, force: true });
});

async function waitFor<T>(probe: () => Promise<T | null>, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 100));
  }
}

it('a decision left to an operator ("ask") waits, is answered in the dashboard API, and the run goes on with the answer', async () => {
  const source = path.join(root, "deposit");
  await mixedTransfer(source);
  const id = randomUUID();
  await startTransfer(rt, {
    id,
    name: "asking",
    source: `file://${source}`,
    config: resolveConfig(PRESETS.automated, ["normalize=ask"]),
  });
  const sipId = sipIdOf(id);
  const decisions = new DecisionStore(rt.sql);
  const pending = await waitFor(
    async () => (await decisions.pending()).find((d) => d.unitId === sipId) ?? null,
  );
  expect(pending).toMatchObject({ key: "normalize", answer: null });
  expect(pending.choices.map((c) => c.value)).toEqual(["none", "preservation", "access", "both"]);
  expect((await rt.store.getUnit(sipId))?.status).toBe("awaiting-decision");

  const handle = createApiHandler(localDashboardDeps(rt, () => {}));
  const answered = await handle({
    method: "POST",
    path: `/api/decisions/${pending.id}`,
    query: {},
    headers: {},
    body: JSON.stringify({ answer: "preservation" }),
    identity: { subject: "olivia", roles: ["operator"] },
  });
  expect(answered.status).toBe(200);

  const summary = await followToEnd(rt, id);
  expect(summary.status, summary.reason ?? "").toBe("completed");
  expect((await rt.store.getUnit(sipId))?.config.normalize).toBe("preservation");
  // The answer was acted on: the PNG has a preservation TIFF beside it in the AIP.
  const images = await readdir(path.join(String(summary.aip), "data", "objects", "images"));
  expect(images.some((name) => name.endsWith(".tif"))).toBe(true);
});

it('`stepmatica run` refuses "ask": only the dashboard can answer', async () => {
  const result = await stepmatica(["run", root, "--set", "normalize=ask"], {
    STEPMATICA_HOME: path.join(root, "home2"),
  });
  expect(result.code).toBe(2);
  expect(result.stderr).toContain("stepmatica serve");
});
