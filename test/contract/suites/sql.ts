import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type FileRecord,
  newFileRecord,
  newUnitRecord,
  type UnitRecord,
} from "../../../functions/core/model.ts";
import { PAGE_ROWS, TaskStore } from "../../../functions/core/store/task-store.ts";
import type { MetsFileScope } from "../../../functions/core/task-module.ts";
import type { SqlClient } from "../../../functions/ports/sql.ts";
import { metsReadsCases } from "./mets-reads.ts";

export function unitFixture(overrides: Partial<UnitRecord> = {}): UnitRecord {
  return newUnitRecord({
    id: randomUUID(),
    type: "transfer",
    name: "contract",
    source: "file:///tmp/x",
    workingPath: "transfers/x",
    config: { normalize: "none" },
    ...overrides,
  });
}

export function fileFixture(unitId: string, rel: string, overrides: Partial<FileRecord> = {}): FileRecord {
  return newFileRecord({
    id: randomUUID(),
    unitId,
    path: rel,
    originalPath: rel,
    size: 12,
    createdAt: new Date("2024-01-02T03:04:05Z"),
    ...overrides,
  });
}

/** The store's contract over the SqlClient port: PGlite, PostgreSQL (pg) and the RDS Data API must pass it. */
export function sqlContract(name: string, make: () => Promise<SqlClient>) {
  describe(`SqlClient + TaskStore contract: ${name}`, () => {
    let sql: SqlClient;
    let store: TaskStore;
    beforeEach(async () => {
      sql = await make();
      store = new TaskStore(sql);
      await store.migrate();
    });
    afterEach(async () => {
      await sql.close();
    });

    metsReadsCases(() => store);

    it("maps types both ways: text, integers, bigint, boolean, null, timestamps, json", async () => {
      const when = new Date("2025-06-07T08:09:10.123Z");
      const r = await sql.query<Record<string, unknown>>(
        "select $1::text as t, $2::int as i, $3::bigint as b, $4::boolean as f, $5::text as n, $6::timestamptz as d, $7::jsonb as j",
        ["héllo 'x'", 42, 9_007_199_254_740_000, true, null, when, { a: [1, "two", null] }],
      );
      const row = r.rows[0]!;
      expect(row.t).toBe("héllo 'x'");
      expect(Number(row.i)).toBe(42);
      expect(Number(row.b)).toBe(9_007_199_254_740_000);
      expect(row.f).toBe(true);
      expect(row.n).toBeNull();
      expect(new Date(row.d as string).toISOString()).toBe(when.toISOString());
      expect(typeof row.j === "string" ? JSON.parse(row.j) : row.j).toEqual({ a: [1, "two", null] });
    });

    it("commits a transaction, and rolls back one that throws", async () => {
      const kept = unitFixture();
      const lost = unitFixture();
      await sql.transaction(async (tx) => {
        await new TaskStore(tx).createUnit(kept);
      });
      await expect(
        sql.transaction(async (tx) => {
          await new TaskStore(tx).createUnit(lost);
          throw new Error("boom");
        }),
      ).rejects.toThrow("boom");
      expect(await store.getUnit(kept.id)).not.toBeNull();
      expect(await store.getUnit(lost.id)).toBeNull();
    });

    it("migrating again applies nothing", async () => {
      expect(await store.migrate()).toEqual([]);
    });

    it("creates a unit once; a second create returns the first", async () => {
      const unit = unitFixture({ options: { sourceDateEpoch: 0 } });
      expect((await store.createUnit(unit)).created).toBe(true);
      const again = await store.createUnit({ ...unit, name: "other" });
      expect(again.created).toBe(false);
      expect(again.unit.name).toBe("contract");
      expect(again.unit.options).toEqual({ sourceDateEpoch: 0 });
    });

    it("a job is created once per (execution, job, entry) with its tasks; claims are exclusive", async () => {
      const unit = unitFixture();
      await store.createUnit(unit);
      const jobId = randomUUID();
      const tasks = [0, 1].map((seq) => ({
        id: randomUUID(),
        seq,
        module: "noop",
        queue: "light" as const,
        arguments: ["a"],
        fileIds: [randomUUID()],
      }));
      const job = {
        id: jobId,
        unitId: unit.id,
        executionId: "exec-1",
        name: "assign_checksums",
        microservice: "M",
        description: "D",
        enteredAt: "2025-01-01T00:00:00Z",
        taskToken: "tok",
        taskCount: 2,
      };
      expect(await store.createJob({ job, tasks })).toBe(true);
      expect(await store.createJob({ job: { ...job, id: randomUUID() }, tasks })).toBe(false);
      expect((await store.findJob("exec-1", "assign_checksums", "2025-01-01T00:00:00Z"))?.id).toBe(jobId);
      expect(await store.listTasks(jobId)).toHaveLength(2);
      // Status reads how many files each task had, not their ids.
      const summaries = await store.listTaskSummaries(jobId);
      expect(summaries.map((t) => [t.id, t.files, "fileIds" in t])).toEqual(
        tasks.map((t) => [t.id, 1, false]),
      );

      const claims = await Promise.all([
        store.claimTask(tasks[0]!.id, 60_000),
        store.claimTask(tasks[0]!.id, 60_000),
      ]);
      expect(claims.filter((c) => c !== null)).toEqual([1]);
      const result = { exitCode: 3, stdout: "out", stderr: "err" };
      expect(await store.completeTask(tasks[0]!.id, 2, result, { exitCode: 3 })).toBe(false);
      expect(await store.completeTask(tasks[0]!.id, 1, result, { exitCode: 3, output: { n: 1 } })).toBe(true);
      expect(await store.completeTask(tasks[0]!.id, 1, result, { exitCode: 3 })).toBe(false);
      expect(await store.unfinishedTaskIds(jobId)).toEqual([tasks[1]!.id]);

      // An expired lease (a dead consumer) lets another attempt win.
      expect(await store.claimTask(tasks[1]!.id, 1)).toBe(1);
      await new Promise((r) => setTimeout(r, 20));
      expect(await store.claimTask(tasks[1]!.id, 60_000)).toBe(2);
      await store.completeTask(tasks[1]!.id, 2, { exitCode: 0, stdout: "", stderr: "" }, { exitCode: 0 });

      expect(await store.jobResult(jobId)).toEqual({ exitCode: 3, outputs: [{ n: 1 }] });
      expect(await store.finishJob(jobId, 3, { n: 1 })).toBe(true);
      expect(await store.finishJob(jobId, 3, { n: 1 })).toBe(false);
      const finished = await store.getJob(jobId);
      expect(finished?.status).toBe("failed");
      expect(finished?.exitCode).toBe(3);
    });

    it("claims a batch of tasks in one statement (with job, unit and files) and records results in one", async () => {
      const unit = unitFixture();
      await store.createUnit(unit);
      const file = fileFixture(unit.id, "objects/batch.txt");
      await store.upsertFiles([file]);
      await store.updateFiles([
        { id: file.id, puid: "x-fmt/111", characteristics: { exiftool: { Big: "x" } } },
      ]);
      const jobId = randomUUID();
      const tasks = [0, 1, 2].map((seq) => ({
        id: randomUUID(),
        seq,
        module: "noop",
        queue: "light" as const,
        arguments: [],
        fileIds: seq === 0 ? [file.id] : [],
        leaseMs: 60_000,
      }));
      await store.createJob({
        job: {
          id: jobId,
          unitId: unit.id,
          executionId: "exec-batch",
          name: "assign_checksums",
          microservice: "M",
          description: "D",
          enteredAt: "2025-01-01T00:00:00Z",
          taskToken: "tok",
          taskCount: 3,
        },
        tasks,
      });
      expect(await store.claimTask(tasks[2]!.id, 60_000)).toBe(1); // held by another consumer
      const claimed = await store.claimTasksInContext(tasks.map((t) => t.id));
      expect(claimed.map((c) => c.task.id).sort()).toEqual([tasks[0]!.id, tasks[1]!.id].sort());
      const first = claimed.find((c) => c.task.id === tasks[0]!.id)!;
      expect(first).toMatchObject({ attempt: 1, job: { id: jobId }, unit: { id: unit.id } });
      expect(first.files.map((f) => f.path)).toEqual(["objects/batch.txt"]);
      // The batch comes without its tool output (no task reads it back), the rest of the record whole.
      expect(first.files[0]).toMatchObject({ id: file.id, puid: "x-fmt/111", characteristics: null });
      const result = { exitCode: 0, stdout: "ok", stderr: "" };
      const recorded = await store.completeTasks([
        { taskId: tasks[0]!.id, attempt: 1, result, output: { n: 2 } },
        { taskId: tasks[1]!.id, attempt: 7, result }, // a stale attempt records nothing
      ]);
      expect([...recorded]).toEqual([tasks[0]!.id]);
      expect((await store.getTask(tasks[0]!.id))?.status).toBe("done");
      expect((await store.getTask(tasks[1]!.id))?.status).toBe("running");
      expect(await store.claimTasksInContext([tasks[0]!.id])).toEqual([]);
    });

    it("records a task's file updates and events only with the attempt that holds it", async () => {
      const unit = unitFixture();
      await store.createUnit(unit);
      const files = [fileFixture(unit.id, "objects/a.txt"), fileFixture(unit.id, "objects/b.txt")];
      await store.upsertFiles(files);
      await store.updateFiles([{ id: files[0]!.id, characteristics: { exiftool: { Kept: 1 } } }]);
      const taskId = randomUUID();
      await store.createJob({
        job: {
          id: randomUUID(),
          unitId: unit.id,
          executionId: "exec-outcome",
          name: "characterize_and_extract_metadata",
          microservice: "M",
          description: "D",
          enteredAt: "2025-01-01T00:00:00Z",
          taskToken: "tok",
          taskCount: 1,
        },
        tasks: [{ id: taskId, seq: 0, module: "noop", queue: "heavy", arguments: [], fileIds: [] }],
      });
      expect(await store.claimTask(taskId, 60_000)).toBe(1);
      const eventOf = (file: FileRecord) => ({
        id: randomUUID(),
        unitId: unit.id,
        fileId: file.id,
        taskId,
        type: "metadata extraction",
        dateTime: new Date("2025-01-01T00:00:01Z"),
        detail: 'program="exiftool"',
        outcome: "success" as const,
        outcomeDetail: "",
        agents: [],
      });
      const outcome = {
        exitCode: 0,
        // One file gets a format and tool output, the other only a format: each keeps the rest.
        fileUpdates: [
          { id: files[0]!.id, puid: "x-fmt/111", characteristics: { mediainfo: { Added: 2 } } },
          { id: files[1]!.id, puid: "fmt/101" },
        ],
        events: files.map(eventOf),
      };
      const result = { exitCode: 0, stdout: "", stderr: "" };
      expect(await store.completeTask(taskId, 2, result, outcome)).toBe(false); // a stale attempt
      expect((await store.getFiles(files.map((f) => f.id))).map((f) => f.puid)).toEqual([null, null]);
      expect(await store.listEvents(unit.id)).toEqual([]);

      expect(await store.completeTask(taskId, 1, result, outcome)).toBe(true);
      const [a, b] = await store.getFiles(files.map((f) => f.id));
      expect(a).toMatchObject({ puid: "x-fmt/111", path: "objects/a.txt", size: 12 });
      expect(a!.characteristics).toEqual({ exiftool: { Kept: 1 }, mediainfo: { Added: 2 } });
      expect(b).toMatchObject({ puid: "fmt/101", path: "objects/b.txt", characteristics: null });
      expect((await store.listEvents(unit.id)).map((e) => e.fileId).sort()).toEqual(
        files.map((f) => f.id).sort(),
      );
      // A redelivery of the finished task records nothing twice.
      const again = { ...outcome, events: files.map(eventOf) };
      expect(await store.completeTask(taskId, 1, result, again)).toBe(false);
      expect(await store.listEvents(unit.id)).toHaveLength(2);
      expect((await store.getTask(taskId))?.status).toBe("done");
    });

    it("writes files in bulk, updates only the fields given, and records events once", async () => {
      const unit = unitFixture();
      await store.createUnit(unit);
      const files = Array.from({ length: 300 }, (_, i) =>
        fileFixture(unit.id, `objects/f${String(i).padStart(3, "0")}.txt`),
      );
      await store.upsertFiles(files);
      await store.updateFiles([
        { id: files[0]!.id, sha256: "ab".repeat(32), puid: "x-fmt/111", characteristics: { tool: 1 } },
      ]);
      await store.updateFiles([{ id: files[0]!.id, characteristics: { other: 2 } }]);
      const [first] = await store.getFiles([files[0]!.id]);
      expect(first).toMatchObject({
        sha256: "ab".repeat(32),
        puid: "x-fmt/111",
        path: files[0]!.path,
        size: 12,
      });
      expect(first!.characteristics).toEqual({ tool: 1, other: 2 });
      expect(await store.listFiles(unit.id)).toHaveLength(300);

      const event = {
        id: randomUUID(),
        unitId: unit.id,
        fileId: files[0]!.id,
        taskId: null,
        type: "ingestion",
        dateTime: new Date("2024-05-06T07:08:09Z"),
        detail: "",
        outcome: "success" as const,
        outcomeDetail: "",
        agents: ["a1"],
      };
      await store.insertEvents([event]);
      await store.insertEvents([event]);
      const events = await store.listEvents(unit.id);
      expect(events).toHaveLength(1);
      expect(events[0]!.dateTime.toISOString()).toBe("2024-05-06T07:08:09.000Z");
      expect(events[0]!.agents).toEqual(["a1"]);
      // Asked for one type (extract-packages asks for "unpacking"), only that type comes back.
      const unpacking = { ...event, id: randomUUID(), type: "unpacking" };
      await store.insertEvents([unpacking]);
      expect((await store.listEvents(unit.id)).map((e) => e.type).sort()).toEqual(["ingestion", "unpacking"]);
      expect((await store.eventsOfType(unit.id, "unpacking")).map((e) => e.id)).toEqual([unpacking.id]);
      expect(await store.eventsOfType(unit.id, "virus check")).toEqual([]);
      // Dispatch's light listing: ids and groups in listFiles' order, without removed files.
      await store.updateFiles([{ id: files[1]!.id, removed: true }]);
      const groups = await store.listFileGroups(unit.id);
      expect(groups).toEqual((await store.listFiles(unit.id)).map((f) => ({ id: f.id, group: f.group })));
      expect(groups).toHaveLength(299);
    });

    it("inserts a batch of events whose values are shared in some columns and differ in others", async () => {
      const unit = unitFixture();
      await store.createUnit(unit);
      const files = [fileFixture(unit.id, "objects/a.txt"), fileFixture(unit.id, "objects/b.txt")];
      await store.upsertFiles(files);
      const base = {
        unitId: unit.id,
        taskId: null,
        type: "virus check",
        dateTime: new Date("2024-05-06T07:08:09Z"),
        detail: 'program="clamscan"',
        outcomeDetail: "clean",
      };
      const events = [
        {
          ...base,
          id: randomUUID(),
          fileId: files[0]!.id,
          outcome: "success" as const,
          agents: ["a1", "a2"],
        },
        {
          ...base,
          id: randomUUID(),
          fileId: files[1]!.id,
          outcome: "failure" as const,
          agents: ["a1", "a3"],
        },
        { ...base, id: randomUUID(), fileId: null, outcome: "success" as const, agents: ["a1", "a2"] },
      ];
      await store.insertEvents(events);
      const stored = await store.listEvents(unit.id);
      const byId = (list: typeof events) => [...list].sort((x, y) => x.id.localeCompare(y.id));
      expect(byId(stored as typeof events)).toEqual(byId(events));
      // One event alone: every column but its id is "shared".
      const alone = { ...events[0]!, id: randomUUID(), type: "fixity check" };
      await store.insertEvents([alone]);
      expect(await store.eventsOfType(unit.id, "fixity check")).toEqual([alone]);
    });

    it("ANALYZE keeps statistics of the columns queries filter on, none of free texts or tool output", async () => {
      const unit = unitFixture();
      await store.createUnit(unit);
      const files = Array.from({ length: 40 }, (_, i) =>
        fileFixture(unit.id, `objects/f${i}.txt`, {
          sha256: String(i).padStart(64, "0"),
          characteristics: { exiftool: { Lines: i } },
        }),
      );
      await store.upsertFiles(files);
      await store.insertEvents(
        files.map((file, i) => ({
          id: randomUUID(),
          unitId: unit.id,
          fileId: file.id,
          taskId: null,
          type: i % 2 ? "validation" : "virus check",
          dateTime: new Date(Date.UTC(2024, 0, 1, 0, 0, i)),
          detail: `program="p${i}"`,
          outcome: "success" as const,
          outcomeDetail: `note ${i}`,
          agents: ["a1"],
        })),
      );
      await sql.query("analyze events");
      await sql.query("analyze files");
      const r = await sql.query<{ tablename: string; attname: string }>(
        `select tablename, attname from pg_stats
         where schemaname = current_schema() and tablename in ('events', 'files')`,
      );
      const of = (table: string) =>
        new Set(r.rows.filter((row) => row.tablename === table).map((row) => row.attname));
      const events = of("events");
      for (const column of ["unit_id", "file_id", "type", "date_time"]) expect(events).toContain(column);
      for (const column of ["detail", "outcome_detail", "agents"]) expect(events).not.toContain(column);
      const filesStats = of("files");
      for (const column of ["unit_id", "path", "file_group", "removed"]) expect(filesStats).toContain(column);
      for (const column of ["characteristics", "sha256", "mime"]) expect(filesStats).not.toContain(column);
      // Small statistics (a target of 10: ANALYZE samples 3,000 rows, not 30,000): 40 different
      // paths make a histogram of 11 bounds, in the column and in the folder-tree index's expression.
      const bounds = await sql.query<{ tablename: string; attname: string; bounds: number }>(
        `select tablename, attname, array_length(histogram_bounds::text::text[], 1) as bounds from pg_stats
         where schemaname = current_schema() and (tablename, attname) in (('files', 'path'), ('files_unit_tree_key', 'replace'))
         order by tablename`,
      );
      expect(bounds.rows).toEqual([
        { tablename: "files", attname: "path", bounds: 11 },
        { tablename: "files_unit_tree_key", attname: "replace", bounds: 11 },
      ]);
    });

    it("finds a unit's files by a page of paths (filesAtPaths), removed ones only when asked", async () => {
      const unit = unitFixture();
      const other = unitFixture();
      await store.createUnit(unit);
      await store.createUnit(other);
      const files = ["objects/b.txt", "objects/a.txt", "objects/c d.txt"].map((p) => fileFixture(unit.id, p));
      const elsewhere = fileFixture(other.id, "objects/a.txt");
      await store.upsertFiles([...files, elsewhere]);
      await store.updateFiles([{ id: files[2]!.id, removed: true }]);
      const asked = ["objects/c d.txt", "objects/a.txt", "objects/b.txt", "objects/missing.txt"];
      expect((await store.filesAtPaths(unit.id, asked)).map((f) => f.id)).toEqual([
        files[1]!.id,
        files[0]!.id,
      ]);
      const withRemoved = await store.filesAtPaths(unit.id, asked, { includeRemoved: true });
      expect(withRemoved.map((f) => f.path)).toEqual(["objects/a.txt", "objects/b.txt", "objects/c d.txt"]);
      expect(await store.filesAtPaths(unit.id, [])).toEqual([]);
    });

    /** A store over the engine that keeps the statements it sends, and the plan of the n-th of them. */
    function recordingStore() {
      const asked: { text: string; params: unknown[] }[] = [];
      const recording = new TaskStore({
        query: (text, params) => {
          asked.push({ text, params: params ?? [] });
          return sql.query(text, params);
        },
        transaction: (work) => sql.transaction(work),
        close: async () => {},
      });
      const planOf = async (n: number) =>
        (
          await sql.query<Record<string, string>>(`explain ${asked[n]!.text}`, asked[n]!.params as never)
        ).rows.map((row) => Object.values(row)[0]!);
      return { recording, planOf };
    }

    it("looks a page of paths up by index or hash, not against every file, with statistics from before a move", async () => {
      const transfer = unitFixture();
      const sip = unitFixture();
      await store.createUnit(transfer);
      await store.createUnit(sip);
      const files = Array.from({ length: 3000 }, (_, i) =>
        fileFixture(transfer.id, `objects/d${i % 20}/f${i}.txt`),
      );
      await store.upsertFiles(files);
      // Statistics say the SIP has no files; then they all change hands without new ones.
      await sql.query("analyze files");
      await sql.query("update files set unit_id = $1 where unit_id = $2", [sip.id, transfer.id]);
      const { recording, planOf } = recordingStore();
      const paths = files.slice(0, 2000).map((f) => f.path);
      expect(await recording.filesAtPaths(sip.id, paths)).toHaveLength(2000);
      expect((await planOf(0)).filter((line) => /Filter:.*path = ANY/.test(line))).toEqual([]);
    });

    it("pages the folder tree by its index after a key, without sorting the unit's files", async () => {
      const unit = unitFixture();
      await store.createUnit(unit);
      const files = Array.from({ length: 3000 }, (_, i) =>
        fileFixture(unit.id, `objects/d${i % 20}/f${i}.txt`),
      );
      await store.upsertFiles(files);
      await sql.query("analyze files");
      const { recording, planOf } = recordingStore();
      const scope: MetsFileScope = { exceptGroups: ["access"] };
      const first = await recording.treeFilePage(unit.id, scope, { after: null, limit: 100 });
      const last = first.at(-1)!;
      expect(await recording.treeFilePage(unit.id, scope, { after: last, limit: 100 })).toHaveLength(100);
      const lines = await planOf(1);
      expect(lines.some((line) => /Index Scan using files_unit_tree_key/.test(line))).toBe(true);
      expect(lines.filter((line) => /Sort/.test(line))).toEqual([]);
    });

    it("takes the statistics of files again when a unit's files move to another (moveFiles)", async () => {
      const transfer = unitFixture();
      const sip = unitFixture();
      await store.createUnit(transfer);
      await store.createUnit(sip);
      await store.upsertFiles(
        Array.from({ length: 200 }, (_, i) => fileFixture(transfer.id, `objects/f${i}.txt`)),
      );
      await sql.query("analyze files");
      const commonUnits = async () =>
        (
          await sql.query<{ units: string }>(
            `select most_common_vals::text as units from pg_stats
             where schemaname = current_schema() and tablename = 'files' and attname = 'unit_id'`,
          )
        ).rows[0]?.units ?? "";
      expect(await commonUnits()).toContain(transfer.id);
      expect(await store.moveFiles({ fromUnit: transfer.id, toUnit: sip.id })).toBe(200);
      expect(await commonUnits()).toContain(sip.id);
      expect(await commonUnits()).not.toContain(transfer.id);
    });

    it("filters file pages in the database (pathPrefix, withoutChecksum) and counts a unit's files", async () => {
      const unit = unitFixture();
      const other = unitFixture();
      await store.createUnit(unit);
      await store.createUnit(other);
      const paths = ["objects/manualNormalization/a.tif", "objects/manualNormalization%/b", "objects/c.txt"];
      const files = paths.map((p, i) =>
        fileFixture(unit.id, p, { sha256: i === 2 ? null : "ab".repeat(32) }),
      );
      await store.upsertFiles([...files, fileFixture(other.id, "objects/manualNormalization/z")]);
      await store.upsertFiles([fileFixture(unit.id, "objects/manualNormalization/gone", { removed: true })]);
      const read = async (options: Parameters<typeof store.filePages>[1]) => {
        const seen: string[] = [];
        for await (const page of store.filePages(unit.id, options)) for (const f of page) seen.push(f.path);
        return seen;
      };
      // A prefix is literal: "%" matches itself, not any text, and removed files stay out unless asked.
      expect(await read({ pathPrefix: "objects/manualNormalization/", pageSize: 1 })).toEqual([
        "objects/manualNormalization/a.tif",
      ]);
      expect(await read({ pathPrefix: "objects/manualNormalization%/" })).toEqual([
        "objects/manualNormalization%/b",
      ]);
      expect(await read({ withoutChecksum: true })).toEqual(["objects/c.txt"]);
      expect(await store.countFiles(unit.id)).toBe(3);
      expect(await store.countFiles(unit.id, { includeRemoved: true })).toBe(4);
    });

    it("hands every file of a unit to another in one statement (moveFiles), rewriting only a leading prefix", async () => {
      const transfer = unitFixture();
      const sip = unitFixture();
      const other = unitFixture();
      for (const u of [transfer, sip, other]) await store.createUnit(u);
      const paths = ["metadata/a.csv", "objects/metadata/b.txt", "objects/x/metadata/c.txt", "objects/d.txt"];
      const files = paths.map((p) => fileFixture(transfer.id, p));
      const untouched = fileFixture(other.id, "metadata/e.csv");
      await store.upsertFiles([...files, untouched]);
      await store.updateFiles([{ id: files[3]!.id, removed: true }]);
      const move = {
        fromUnit: transfer.id,
        toUnit: sip.id,
        rewritePrefix: { from: "metadata/", to: "objects/metadata/" },
      };
      expect(await store.moveFiles(move)).toBe(4);
      const byId = new Map((await store.getFiles(files.map((f) => f.id))).map((f) => [f.id, f]));
      expect(files.map((f) => [byId.get(f.id)?.path, byId.get(f.id)?.unitId])).toEqual(
        ["objects/metadata/a.csv", "objects/metadata/b.txt", "objects/x/metadata/c.txt", "objects/d.txt"].map(
          (p) => [p, sip.id],
        ),
      );
      // A second run (a retried task) finds nothing left to move and rewrites nothing twice.
      expect(await store.moveFiles(move)).toBe(0);
      expect((await store.getFiles([untouched.id]))[0]).toMatchObject({
        unitId: other.id,
        path: "metadata/e.csv",
      });
    });

    it("reads a unit's events in keyset pages (eventPages), each page no larger than PAGE_ROWS", async () => {
      const unit = unitFixture();
      await store.createUnit(unit);
      // Same time for many: the id breaks ties, so no event is read twice or skipped across pages.
      const events = Array.from({ length: PAGE_ROWS + 5 }, (_, i) => ({
        id: randomUUID(),
        unitId: unit.id,
        fileId: null,
        taskId: null,
        type: "ingestion",
        dateTime: new Date(Date.UTC(2024, 0, 1, 0, 0, i % 3)),
        detail: "",
        outcome: "success" as const,
        outcomeDetail: "",
        agents: [],
      }));
      await store.insertEvents(events);
      const sizes: number[] = [];
      const seen: string[] = [];
      for await (const page of store.eventPages(unit.id)) {
        sizes.push(page.length);
        for (const e of page) seen.push(e.id);
      }
      expect(sizes).toEqual([PAGE_ROWS, 5]);
      expect(new Set(seen).size).toBe(events.length);
    });

    it("lists units by status and name, paginated, without hidden ones", async () => {
      const tag = randomUUID().slice(0, 8);
      for (let i = 0; i < 5; i++)
        await store.createUnit(
          unitFixture({ name: `list-${tag}-${i}`, status: i < 2 ? "failed" : "completed" }),
        );
      const hidden = unitFixture({ name: `list-${tag}-hidden`, status: "failed" });
      await store.createUnit(hidden);
      await store.updateUnit(hidden.id, { hidden: true });
      const failed = await store.listUnits({ search: tag, status: "failed" });
      expect(failed.total).toBe(2);
      const page = await store.listUnits({ search: tag, limit: 2, offset: 2 });
      expect(page.units).toHaveLength(2);
      expect(page.total).toBe(5);
    });
  });
}
