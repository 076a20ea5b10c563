import { randomUUID } from "node:crypto";
import { newUnitRecord, type UnitRecord, type UnitStatus } from "../../../functions/core/model.ts";
import { DecisionStore } from "../../../functions/core/store/decisions.ts";
import type { TaskStore } from "../../../functions/core/store/task-store.ts";
import { PRESETS } from "../../../workflows/processing-config.ts";

/**
 * A store holding what the dashboard must show: a completed transfer with its SIP and AIP, a
 * failed (rejected) transfer whose failing task wrote stderr, a running transfer with a pending
 * decision, and a task whose stdout is HTML. Written through TaskStore as the pipeline writes.
 */

export const HOSTILE_STDOUT = `<img src=x onerror="window.__xss=1"><script>window.__xss=2</script><b>bold?</b>`;
export const FAILING_STDERR = "objects/: the transfer holds no files";

export function unitRecord(over: Partial<UnitRecord> & { name: string; status: UnitStatus }): UnitRecord {
  const id = over.id ?? randomUUID();
  return newUnitRecord({
    id,
    type: "transfer",
    source: `file:///deposits/${over.name}`,
    workingPath: `transfers/${over.name}-${id}`,
    config: PRESETS.automated,
    heartbeatAt: new Date(),
    ...over,
  });
}

interface TaskSpec {
  exitCode?: number | null;
  stdout?: string;
  stderr?: string;
  files?: string[];
}

/** A job with its tasks; tasks with an exit code are completed through claim + complete, as a worker does. */
export async function addJob(
  store: TaskStore,
  unitId: string,
  spec: { name: string; microservice: string; description: string; module: string; tasks: TaskSpec[] },
  settle = true,
): Promise<{ jobId: string; taskIds: string[] }> {
  const jobId = randomUUID();
  const tasks = spec.tasks.map((t, seq) => ({
    id: randomUUID(),
    seq,
    module: spec.module,
    queue: "light" as const,
    arguments: seq === 0 ? ["--unit"] : [],
    fileIds: t.files ?? [],
  }));
  await store.createJob({
    job: {
      id: jobId,
      unitId,
      executionId: `exec-${unitId}`,
      name: spec.name,
      microservice: spec.microservice,
      description: spec.description,
      enteredAt: new Date().toISOString(),
      taskToken: null,
      taskCount: tasks.length,
    },
    tasks,
  });
  for (const [i, t] of spec.tasks.entries()) {
    if (t.exitCode === undefined || t.exitCode === null) continue;
    const attempt = await store.claimTask(tasks[i]!.id, 60_000);
    await store.completeTask(
      tasks[i]!.id,
      attempt!,
      { exitCode: t.exitCode, stdout: t.stdout ?? "", stderr: t.stderr ?? "" },
      { exitCode: t.exitCode },
    );
  }
  if (settle) {
    const { exitCode } = await store.jobResult(jobId);
    await store.finishJob(jobId, exitCode, {});
  }
  return { jobId, taskIds: tasks.map((t) => t.id) };
}

export interface Seeded {
  completed: string;
  completedSip: string;
  failed: string;
  running: string;
  hostileTask: string;
  failingTask: string;
  decision: string;
  runningJob: string;
}

export async function seedStore(store: TaskStore, aipLocation: string): Promise<Seeded> {
  const completed = unitRecord({ name: "alpha-records", status: "completed" });
  await store.createUnit(completed);
  await addJob(store, completed.id, {
    name: "stage_transfer",
    microservice: "Approve transfer",
    description: "Copy the transfer onto working storage",
    module: "stage-transfer",
    tasks: [{ exitCode: 0, stdout: "staged 2 file(s)" }],
  });
  const hostile = await addJob(store, completed.id, {
    name: "verify_transfer_compliance",
    microservice: "Verify transfer compliance",
    description: "Verify the transfer's structure",
    module: "verify-transfer-compliance",
    tasks: [{ exitCode: 0, stdout: HOSTILE_STDOUT }],
  });
  const fileIds = [randomUUID(), randomUUID()];
  const sip = unitRecord({ name: "alpha-records", status: "completed", type: "sip", parentId: completed.id });
  await store.createUnit(sip);
  await store.upsertFiles(
    fileIds.map((id, i) => ({
      id,
      unitId: sip.id,
      path: `objects/file-${i}.txt`,
      originalPath: `file-${i}.txt`,
      size: 10 + i,
      sha256: `${i}`.repeat(64),
      group: "original" as const,
      puid: "x-fmt/111",
      formatName: "Plain Text File",
      formatVersion: null,
      mime: "text/plain",
      derivedFrom: null,
      removed: false,
      createdAt: new Date(),
      characteristics: null,
    })),
  );
  await addJob(store, sip.id, {
    name: "assign_checksums",
    microservice: "Assign file UUIDs and checksums",
    description: "Assign checksums and file sizes to objects",
    module: "assign-checksums",
    tasks: [{ exitCode: 0, stdout: "2 checksums", files: fileIds }],
  });
  await store.insertEvents(
    fileIds.map((fileId, i) => ({
      id: randomUUID(),
      unitId: sip.id,
      fileId,
      taskId: null,
      type: "message digest calculation",
      dateTime: new Date(Date.UTC(2024, 0, 1, 0, 0, i)),
      detail: 'program="stepmatica"; algorithm="sha256"',
      outcome: "success" as const,
      outcomeDetail: `${i}`.repeat(64),
      agents: [],
    })),
  );
  await store.recordAip({
    id: sip.id,
    unitId: sip.id,
    location: aipLocation,
    sha256: null,
    size: 0,
    verifiedAt: new Date(),
    createdAt: new Date(),
  });

  const failed = unitRecord({
    name: "broken-deposit",
    status: "rejected",
    reason: "Verify transfer compliance / Verify the transfer's structure: " + FAILING_STDERR,
  });
  await store.createUnit(failed);
  await addJob(store, failed.id, {
    name: "stage_transfer",
    microservice: "Approve transfer",
    description: "Copy the transfer onto working storage",
    module: "stage-transfer",
    tasks: [{ exitCode: 0, stdout: "staged 1 file(s)" }],
  });
  const failing = await addJob(store, failed.id, {
    name: "verify_transfer_compliance",
    microservice: "Verify transfer compliance",
    description: "Verify the transfer's structure",
    module: "verify-transfer-compliance",
    tasks: [{ exitCode: 1, stderr: FAILING_STDERR }],
  });

  const running = unitRecord({ name: "gamma-in-progress", status: "running" });
  await store.createUnit(running);
  await addJob(store, running.id, {
    name: "assign_file_uuids",
    microservice: "Assign file UUIDs and checksums",
    description: "Assign file UUIDs to objects",
    module: "assign-file-uuids",
    tasks: [{ exitCode: 0 }],
  });
  const runningJob = await addJob(
    store,
    running.id,
    {
      name: "assign_checksums",
      microservice: "Assign file UUIDs and checksums",
      description: "Assign checksums and file sizes to objects",
      module: "assign-checksums",
      tasks: [{ exitCode: 0 }, { exitCode: 0 }, {}, {}],
    },
    false,
  );
  const decision = await new DecisionStore(store.sql).ask({
    id: randomUUID(),
    unitId: running.id,
    key: "normalize",
    description: "Normalize",
    choices: [
      { value: "preservation", label: "Preservation copies" },
      { value: "none", label: "Do not normalize" },
    ],
  });
  return {
    completed: completed.id,
    completedSip: sip.id,
    failed: failed.id,
    running: running.id,
    hostileTask: hostile.taskIds[0]!,
    failingTask: failing.taskIds[0]!,
    decision: decision.id,
    runningJob: runningJob.jobId,
  };
}

/** `count` finished units in one statement (the 1,000-unit list), named bulk-0000… */
export async function manyUnits(store: TaskStore, count: number): Promise<void> {
  await store.sql.query(
    `insert into units (id, type, name, status, source, working_path, config, options, created_at, updated_at)
     select gen_random_uuid(), 'transfer', 'bulk-' || lpad(i::text, 4, '0'),
       case when i % 10 = 0 then 'failed' else 'completed' end, 'file:///bulk', 'transfers/bulk', '{}'::jsonb,
       '{}'::jsonb, now() - (i * interval '1 minute'), now() - (i * interval '1 minute')
     from generate_series(1, $1::int) as i`,
    [count],
  );
}

/** A unit whose one job has `count` tasks, all done, every 100th failed (the 10,000-task job). */
export async function bigJobUnit(
  store: TaskStore,
  count: number,
): Promise<{ unitId: string; jobId: string }> {
  const unit = unitRecord({ name: "huge-job", status: "completed" });
  await store.createUnit(unit);
  const { jobId } = await addJob(
    store,
    unit.id,
    {
      name: "assign_checksums",
      microservice: "Assign file UUIDs and checksums",
      description: "Assign checksums and file sizes to objects",
      module: "assign-checksums",
      tasks: Array.from({ length: count }, () => ({})),
    },
    false,
  );
  await store.sql.query(
    `update tasks set status = 'done', attempt = 1, started_at = now() - interval '2 seconds', ended_at = now(),
       exit_code = case when seq % 100 = 99 then 1 else 0 end,
       stdout = 'checksummed batch ' || seq, stderr = case when seq % 100 = 99 then 'batch ' || seq || ' failed' else '' end
     where job_id = $1`,
    [jobId],
  );
  await store.finishJob(jobId, 1, {});
  return { unitId: unit.id, jobId };
}
