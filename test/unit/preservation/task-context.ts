import path from "node:path";
import { FolderObjectStore } from "../../../functions/adapters/local/folder-object-store.ts";
import { defaultAgents, idsFor } from "../../../functions/core/ids.ts";
import {
  type FileRecord,
  newFileRecord,
  newUnitRecord,
  type UnitRecord,
} from "../../../functions/core/model.ts";
import type { TaskContext } from "../../../functions/core/task-module.ts";
import { PRESETS, type ProcessingConfig } from "../../../workflows/processing-config.ts";
import { pagedReads } from "../../helpers/paged-reader.ts";

const UNIT_ID = "7d3c1f0e-5a1b-4c2d-9e8f-0a1b2c3d4e5f";

export function fileRecord(rel: string, index: number): FileRecord {
  return newFileRecord({
    id: idsFor(UNIT_ID).uuid(`file:${rel}`),
    unitId: UNIT_ID,
    path: rel,
    originalPath: rel.replace(/^objects\//, ""),
    size: 0,
    group: rel.startsWith("objects/metadata/") ? "metadata" : "original",
    createdAt: new Date(1_700_000_000_000 + index),
  });
}

/** A TaskContext over a real folder (the unit is `<workRoot>/sips/unit`), for calling a task module directly. */
export function taskContext(
  workRoot: string,
  files: FileRecord[],
  options: { args?: string[]; config?: Partial<ProcessingConfig>; allFiles?: FileRecord[] } = {},
): TaskContext & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const unit: UnitRecord = newUnitRecord({
    id: UNIT_ID,
    type: "sip",
    name: "unit",
    source: "test",
    workingPath: "sips/unit",
    config: { ...PRESETS.automated, ...options.config },
    options: { sourceDateEpoch: 1_700_000_000 },
  });
  const all = options.allFiles ?? files;
  return {
    unit,
    job: {
      id: "job",
      unitId: UNIT_ID,
      executionId: "x",
      name: "job",
      microservice: "m",
      description: "d",
      enteredAt: "",
      status: "running",
      exitCode: null,
      taskToken: null,
      taskCount: 1,
      createdAt: new Date(),
      endedAt: null,
    },
    task: {
      id: "task",
      jobId: "job",
      seq: 0,
      module: "m",
      queue: "heavy",
      arguments: options.args ?? [],
      fileIds: files.map((f) => f.id),
      status: "running",
      attempt: 1,
      leaseExpires: null,
      exitCode: null,
      stdout: "",
      stderr: "",
      startedAt: null,
      endedAt: null,
      cpuS: null,
      peakRssMb: null,
    },
    files,
    unitPath: path.join(workRoot, "sips", "unit"),
    workRoot,
    config: unit.config as ProcessingConfig,
    ids: idsFor(UNIT_ID),
    clock: { now: () => new Date(1_700_000_000_000) },
    store: {
      getUnit: async () => unit,
      listAgents: async () => defaultAgents(),
      listJobs: async () => [],
      listTasks: async () => [],
      ...pagedReads({ listFiles: async () => all, listEvents: async () => [] }),
    },
    objects: new FolderObjectStore(path.join(workRoot, "store")),
    transfers: null,
    signal: new AbortController().signal,
    stdout: (line) => out.push(line),
    stderr: (line) => err.push(line),
    agents: defaultAgents(),
    out,
    err,
  };
}
