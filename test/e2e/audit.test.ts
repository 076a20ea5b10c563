import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { S3ObjectStore } from "../../functions/adapters/aws/s3-object-store.ts";
import { MemoryQueue } from "../../functions/adapters/local/memory-queue.ts";
import { auditAips, lastAudits } from "../../functions/audit/index.ts";
import { openHomeDatabase } from "../../functions/cli/home-database.ts";
import { openRuntime } from "../../functions/cli/runtime.ts";
import { defaultAgents } from "../../functions/core/ids.ts";
import { TaskStore } from "../../functions/core/store/task-store.ts";
import { localDashboardDeps } from "../../functions/dashboard/local-deps.ts";
import { startDashboardServer } from "../../functions/dashboard/server.ts";
import { createAuditHandler } from "../../functions/handlers/audit.ts";
import { Worker } from "../../functions/worker/loop.ts";
import { stepmatica } from "../helpers/cli.ts";
import { mixedTransfer, tempDir } from "../helpers/fixtures.ts";
import { type LocalS3, startLocalS3 } from "../helpers/local-aws/s3-server.ts";

let root: string;
let env: Record<string, string>;
let folderAip: string; // <out>/<name>-<uuid> (aip_compression=none)
let packedAip: string; // <out>/<name>-<uuid>.tar.gz

/** Flips one bit of the byte in the middle of a file (the size stays the same). */
async function flipByte(file: string): Promise<void> {
  const bytes = await readFile(file);
  const at = Math.floor(bytes.length / 2);
  bytes[at] = bytes[at]! ^ 0x01;
  await writeFile(file, bytes);
}

async function withStore<T>(fn: (store: TaskStore) => Promise<T>): Promise<T> {
  // Through the home's database owner, as every stepmatica process reads it (never a second PGlite).
  const sql = await openHomeDatabase(env.STEPMATICA_HOME!);
  try {
    return await fn(new TaskStore(sql));
  } finally {
    await sql.close();
  }
}

beforeAll(async () => {
  root = await tempDir("audit");
  env = { STEPMATICA_HOME: path.join(root, "home") };
  const out = path.join(root, "aips");
  for (const [name, compression] of [
    ["plain", "none"],
    ["packed", "tar.gz"],
  ] as const) {
    const source = path.join(root, name);
    await mixedTransfer(source);
    const run = await stepmatica(
      [
        "run",
        source,
        "--out",
        out,
        "--config",
        "automated",
        "--set",
        `aip_compression=${compression}`,
        "--json",
      ],
      env,
    );
    expect(run.code, run.stderr).toBe(0);
    if (compression === "none") folderAip = String(run.json!.aip);
    else packedAip = String(run.json!.aip);
  }
}, 300_000);
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("stepmatica audit against the folder store", () => {
  it("a clean store: every AIP verified, with its date, and a PREMIS fixity-check event each", async () => {
    const before = Date.now();
    const audit = await stepmatica(["audit", "--all", "--json"], env);
    expect(audit.code, audit.stderr).toBe(0);
    expect(audit.json).toMatchObject({ audited: 2, failed: 0 });
    const aips = audit.json!.aips as Array<{
      outcome: string;
      auditedAt: string;
      objects: number;
      name: string;
    }>;
    for (const aip of aips) {
      expect(aip.outcome).toBe("verified");
      expect(Date.parse(aip.auditedAt)).toBeGreaterThanOrEqual(before - 1000);
    }
    expect(aips.find((a) => folderAip.endsWith(a.name))!.objects).toBeGreaterThan(8); // payload + tag files
    expect(audit.stdout).toMatch(/^verified {2}\S+ {2}\d+ object\(s\) {2}\d{4}-\d\d-\d\dT/m);
    const audits = await withStore((store) => lastAudits(store));
    expect(audits).toHaveLength(2);
    for (const a of audits) expect(a).toMatchObject({ outcome: "success", lastAuditAt: expect.any(String) });
    const events = await withStore(async (store) => store.listEvents(audits[0]!.unitId));
    const fixity = events.filter(
      (e) => e.type === "fixity check" && e.detail.startsWith('program="stepmatica audit"'),
    );
    expect(fixity).toHaveLength(1);
    expect(fixity[0]!.outcome).toBe("success");
  }, 120_000);

  it("a flipped byte in a folder AIP's payload is reported naming the AIP and the file", async () => {
    const payload = path.join(folderAip, "data", "objects", "data", "table.csv");
    await flipByte(payload);
    const audit = await stepmatica(["audit", "--all"], env);
    await flipByte(payload); // restored before asserting: the next tests need a clean store
    expect(audit.code).toBe(1);
    const name = path.basename(folderAip);
    expect(audit.stdout).toContain(`FAILED    ${name}`);
    expect(audit.stdout).toMatch(
      / {2}data\/objects\/data\/table\.csv: expected sha256 [0-9a-f]{64}, found [0-9a-f]{64}/,
    );
    expect(audit.stdout).toMatch(
      new RegExp(`verified {2}${path.basename(packedAip).replace(/\.tar\.gz$/, "")}`),
    );
    const audits = await withStore((store) => lastAudits(store));
    const failed = audits.find((a) => folderAip.endsWith(path.basename(a.location)))!;
    expect(failed.outcome).toBe("failure");
    expect(failed.detail).toContain("data/objects/data/table.csv");
  }, 120_000);

  it("a flipped byte in a compressed AIP is reported naming it; a tag file's flip names the tag file", async () => {
    await flipByte(packedAip);
    await flipByte(path.join(folderAip, "bag-info.txt"));
    const audit = await stepmatica(["audit", "--all"], env);
    await flipByte(packedAip); // restored before asserting: the next tests need a clean store
    await flipByte(path.join(folderAip, "bag-info.txt"));
    expect(audit.code).toBe(1);
    expect(audit.stdout).toContain(`FAILED    ${path.basename(packedAip, ".tar.gz")}`);
    expect(audit.stdout).toMatch(
      new RegExp(`  ${path.basename(packedAip).replace(/\./g, "\\.")}: expected sha256`),
    );
    expect(audit.stdout).toMatch(/ {2}bag-info\.txt: expected sha256/);
  }, 120_000);

  it("rolls: without --all, --limit 1 audits the AIP audited longest ago", async () => {
    const first = await stepmatica(["audit", "--limit", "1", "--json"], env);
    const second = await stepmatica(["audit", "--limit", "1", "--json"], env);
    const nameOf = (r: typeof first) => (r.json!.aips as Array<{ name: string }>)[0]!.name;
    expect(first.json).toMatchObject({ audited: 1 });
    expect(nameOf(first)).not.toBe(nameOf(second));
  }, 120_000);
});

describe("the dashboard shows the last audit per AIP", () => {
  it("lists every AIP with its last audit, and the unit's AIP carries it", async () => {
    const rt = await openRuntime({
      home: env.STEPMATICA_HOME!,
      out: path.join(root, "aips"),
      workers: false,
    });
    const server = await startDashboardServer({ deps: localDashboardDeps(rt, () => {}), port: 0 });
    try {
      const get = async (p: string) =>
        (await fetch(`http://127.0.0.1:${server.port}${p}`, {
          headers: { authorization: `Bearer ${server.token}` },
        }).then((r) => r.json())) as Record<string, unknown>;
      const list = (await get("/api/audits")).aips as Array<{
        unitId: string;
        lastAuditAt: string;
        outcome: string;
      }>;
      expect(list).toHaveLength(2);
      for (const a of list)
        expect(a).toMatchObject({ lastAuditAt: expect.stringMatching(/^\d{4}-/), outcome: "success" });
      const unit = await get(`/api/units/${list[0]!.unitId}`);
      expect(unit.aip).toMatchObject({ lastAudit: { at: list[0]!.lastAuditAt, outcome: "success" } });
    } finally {
      await server.close();
      await rt.close();
    }
  }, 60_000);
});

describe("the audit against the S3 object store (s3rver)", () => {
  let s3: LocalS3;
  beforeAll(async () => {
    s3 = await startLocalS3(["archive"]);
  });
  afterAll(async () => {
    await s3.close();
  });

  /** Stores the folder AIP under a key prefix of the bucket; returns a function flipping a byte of one of its stored files. */
  async function storeFolderAip(keyPrefix: string) {
    const objects = new S3ObjectStore({
      bucket: "archive",
      keyPrefix: `${keyPrefix}/`,
      clientConfig: s3.clientConfig,
    });
    const name = path.basename(folderAip);
    const files = await walk(folderAip);
    for (const rel of files) await objects.putFile(`${name}/${rel}`, path.join(folderAip, ...rel.split("/")));
    const flipStored = (rel: string) =>
      flipByte(`${path.join(s3.directory, "archive", keyPrefix, name, ...rel.split("/"))}._S3rver_object`);
    return { objects, name, files, flipStored };
  }

  it("verifies the AIP stored in S3, then reports a byte flipped in the stored object", async () => {
    const { objects, name, files, flipStored } = await storeFolderAip("aips");
    const agents = defaultAgents();
    const audit = () =>
      withStore((store) => auditAips({ store, agents, objectsFor: () => objects }, { all: true }));
    const onlyFolder = (results: Awaited<ReturnType<typeof audit>>) => results.find((r) => r.name === name)!;
    const clean = onlyFolder(await audit());
    // Every stored object but the tag manifest, which no manifest lists.
    expect(clean).toMatchObject({
      outcome: "verified",
      objects: files.length - 1,
      mismatches: [],
      problems: [],
    });
    // s3rver keeps no SHA-256 of its own: every object was re-read and hashed.
    expect(clean.rehashed).toBe(files.length - 1);

    await flipStored("data/objects/data/table.csv");
    const flipped = onlyFolder(await audit());
    expect(flipped.outcome).toBe("failed");
    expect(flipped.mismatches.map((m) => m.file)).toEqual(["data/objects/data/table.csv"]);
    expect(flipped.mismatches[0]!.key).toBe(`${name}/data/objects/data/table.csv`);
  }, 120_000);

  it("an AIP too large for the scheduled function: it hands it to the heavy queue without recording; the worker re-reads it and records the flip", async () => {
    const { objects, flipStored } = await storeFolderAip("handoff");
    await flipStored("data/objects/data/table.csv");
    const queue = new MemoryQueue();
    const agents = defaultAgents();
    await withStore(async (store) => {
      const deps = {
        store,
        objects,
        queue,
        agents,
        ensureAgents: () => store.upsertAgents(agents),
        logger: new Logger({ serviceName: "test", logLevel: "SILENT" }),
        metrics: new Metrics({ namespace: "Test", serviceName: "test" }),
        loadRunner: () => Promise.reject(new Error("no workflow task is sent in this test")),
      };
      const folderUnit = (await lastAudits(store)).find((a) =>
        folderAip.endsWith(path.basename(a.location)),
      )!;
      const auditsOfFolder = async () =>
        (
          await store.sql.query<{ outcome: string; outcome_detail: string; detail: string }>(
            "select outcome, outcome_detail, detail from events where unit_id = $1 and type = 'fixity check' and detail like 'program=\"stepmatica audit\"%' order by date_time",
            [folderUnit.unitId],
          )
        ).rows;
      const before = (await auditsOfFolder()).length;

      // Every object needs a re-read (s3rver keeps no SHA-256) and the limit is one byte. The
      // compressed AIP is not in this bucket: it is audited here, and fails for its missing object.
      const scheduled = createAuditHandler(deps, { aipsPerRun: 10, maxRehashBytes: 1 });
      expect(await scheduled()).toEqual({ audited: 1, failed: 1, handedOff: 1 });
      expect(queue.depth("heavy")).toBe(1);
      expect(await auditsOfFolder()).toHaveLength(before); // handing off is not an audit

      const worker = new Worker(deps, {
        queue: "heavy",
        concurrency: 1,
        visibilityMs: 5_000,
        waitMs: 200,
        graceMs: 1_000,
      });
      worker.start();
      try {
        for (let i = 0; i < 300 && queue.depth("heavy") > 0; i++)
          await new Promise((r) => setTimeout(r, 100));
      } finally {
        await worker.stop();
      }
      expect(queue.depth("heavy")).toBe(0);
      const after = await auditsOfFolder();
      expect(after).toHaveLength(before + 1);
      expect(after.at(-1)).toMatchObject({
        outcome: "failure",
        detail: expect.stringContaining("re-hashed every object"),
      });
      expect(after.at(-1)!.outcome_detail).toContain("data/objects/data/table.csv: expected");
    });
  }, 120_000);
});

async function walk(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await walk(dir, rel)));
    else out.push(rel);
  }
  return out.sort();
}
