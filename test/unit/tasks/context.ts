import { randomUUID } from "node:crypto";
import { defaultAgents, idsFor } from "../../../functions/core/ids.ts";
import {
  type EventRecord,
  type FileRecord,
  newUnitRecord,
  type UnitRecord,
} from "../../../functions/core/model.ts";
import type {
  StoreReader,
  TaskContext,
  TaskModule,
  TaskOutcome,
} from "../../../functions/core/task-module.ts";
import { PRESETS, type ProcessingConfig } from "../../../workflows/processing-config.ts";
import { pagedReads } from "../../helpers/paged-reader.ts";

/**
 * A unit's records in memory, applied the way the store applies a TaskOutcome (new files upserted,
 * partial updates merged, events inserted once by id), so a module can run pass after pass.
 */
export class UnitState {
  readonly unit: UnitRecord;
  readonly files = new Map<string, FileRecord>();
  readonly events = new Map<string, EventRecord>();
  constructor(
    readonly unitPath: string,
    config: Partial<ProcessingConfig> = {},
  ) {
    const now = new Date(0);
    this.unit = newUnitRecord({
      id: randomUUID(),
      type: "transfer",
      name: "t",
      source: unitPath,
      workingPath: unitPath,
      config: { ...PRESETS.automated, ...config },
      options: { sourceDateEpoch: 0 },
      createdAt: now,
      updatedAt: now,
    });
  }

  apply(outcome: TaskOutcome): void {
    for (const f of outcome.newFiles ?? []) this.files.set(f.id, { ...this.files.get(f.id), ...f });
    for (const u of outcome.fileUpdates ?? []) {
      const known = this.files.get(u.id);
      if (known)
        this.files.set(u.id, {
          ...known,
          ...Object.fromEntries(Object.entries(u).filter(([, v]) => v !== undefined && v !== null)),
        });
    }
    for (const e of outcome.events ?? []) if (!this.events.has(e.id)) this.events.set(e.id, e);
  }

  listFiles(): FileRecord[] {
    return [...this.files.values()].filter((f) => !f.removed).sort((a, b) => (a.path < b.path ? -1 : 1));
  }

  /** Runs a module as the task runner would (files: the batch for per-file modules) and applies its outcome. */
  async run(
    module: TaskModule,
    files: FileRecord[] = [],
    options: {
      apply?: boolean;
      wrapStore?: (store: StoreReader) => StoreReader;
      workRoot?: string;
      /** The task's arguments (e.g. ["aip"] for generate-mets). */
      args?: string[];
      /** The AIP and DIP store (store-aip); none by default. */
      objects?: TaskContext["objects"];
    } = {},
  ) {
    const stdout: string[] = [];
    const stderr: string[] = [];
    const taskId = randomUUID();
    const store: StoreReader = {
      getUnit: async () => this.unit,
      listAgents: async () => [],
      listJobs: async () => [],
      listTasks: async () => [],
      ...pagedReads({
        listFiles: async (_id: string, options?: { includeRemoved?: boolean }) =>
          options?.includeRemoved ? [...this.files.values()] : this.listFiles(),
        listEvents: async () => [...this.events.values()],
      }),
    };
    const ctx: TaskContext = {
      unit: this.unit,
      job: { id: randomUUID() } as TaskContext["job"],
      task: { id: taskId, arguments: options.args ?? [] } as unknown as TaskContext["task"],
      files,
      unitPath: this.unitPath,
      workRoot: options.workRoot ?? this.unitPath,
      config: this.unit.config as ProcessingConfig,
      ids: idsFor(this.unit.id),
      clock: { now: () => new Date(0) },
      store: options.wrapStore ? options.wrapStore(store) : store,
      objects: options.objects ?? ({} as TaskContext["objects"]),
      transfers: null,
      signal: new AbortController().signal,
      stdout: (line) => stdout.push(line),
      stderr: (line) => stderr.push(line),
      agents: defaultAgents(),
    };
    const outcome = await module.run(ctx);
    if (options.apply !== false) this.apply(outcome);
    return { outcome, stdout, stderr };
  }
}
