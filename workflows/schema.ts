import { z } from "zod";

/** Job and node ids are snake_case: they become JSONPath keys ($.jobs.<id>) and state names. */
const Id = z.string().regex(/^[a-z][a-z0-9_]*$/, "ids are snake_case");

/** Where an outcome leads: another node's id, or the end of the workflow. */
const Target = z.union([Id, z.literal("succeed")]);

export const FileGroupSchema = z.enum([
  "original",
  "preservation",
  "access",
  "metadata",
  "submissionDocumentation",
  "license",
]);

export const JobSchema = z
  .object({
    kind: z.literal("job"),
    id: Id,
    /** The microservice (Archivematica's "group") shown in the dashboard. */
    microservice: z.string().min(1),
    /** The job's description, e.g. "Assign file UUIDs to objects". */
    description: z.string().min(1),
    /** Task module name (functions/tasks). */
    module: z.string().min(1),
    arguments: z.array(z.string()).default([]),
    /** Once for the unit, or once per batch of files. */
    scope: z.enum(["unit", "file"]),
    /** For per-file jobs: which file groups the job covers (default: original). */
    fileGroups: z.array(FileGroupSchema).optional(),
    queue: z.enum(["light", "heavy"]),
    /**
     * Files per task for a per-file job (default 256, functions/core/dispatch-job.ts). Tools that
     * pay a large start-up cost per invocation (ClamAV loading its databases) take bigger batches;
     * jobs whose tasks must stay short take ARCHIVEMATICA_BATCH_SIZE.
     */
    batchSize: z.number().int().positive().max(10_000).optional(),
    /** The whole job's limit (all its tasks, queueing included): the Task state's TimeoutSeconds. */
    timeoutSeconds: z.number().int().positive(),
    /**
     * The longest one task may run before the task runner aborts it (default: timeoutSeconds). A
     * light job's tasks run in the run-tasks Lambda, so theirs must fit its timeout (checked at synth).
     */
    taskTimeoutSeconds: z.number().int().positive().optional(),
    heartbeatSeconds: z.number().int().positive(),
    /** Exit codes that are branch signals rather than failures (Archivematica's 179). */
    branches: z.array(z.object({ exitCode: z.number().int().positive(), next: Target })).default([]),
    next: Target,
    /** A failure rejects the transfer (bad input) rather than failing it (a processing error). */
    onFailure: z.enum(["fail", "reject"]).default("fail"),
  })
  .strict();

/** A decision point answered by the processing configuration or by an earlier job's output. */
export const DecisionSchema = z
  .object({
    kind: z.literal("decision"),
    id: Id,
    microservice: z.string().min(1),
    description: z.string().min(1),
    /** A processing-configuration key ("config.<key>") or a job output ("jobs.<job>.output.<key>"). */
    on: z.string().regex(/^(config\.[a-z_]+|jobs\.[a-z0-9_]+\.output\.[a-zA-Z0-9_]+)$/),
    choices: z
      .array(
        z.object({
          equals: z.union([z.string(), z.boolean(), z.number()]).optional(),
          greaterThan: z.number().optional(),
          next: Target,
        }),
      )
      .min(1),
    default: Target,
    /** A deliberate loop (e.g. extract packages until none are left) may lead back to an earlier node. */
    deliberateLoop: z.boolean().default(false),
  })
  .strict();

export const NodeSchema = z.discriminatedUnion("kind", [JobSchema, DecisionSchema]);

export const WorkflowSchema = z
  .object({
    name: z.enum(["transfer", "ingest"]),
    comment: z.string(),
    startAt: Id,
    nodes: z.array(NodeSchema).min(1),
    /** The transfer workflow ends by starting ingest on the SIP a job created (its output key). */
    thenStartIngest: z
      .object({ sipIdFrom: z.string().regex(/^jobs\.[a-z0-9_]+\.output\.[a-zA-Z]+$/) })
      .optional(),
  })
  .strict();

export type JobNode = z.infer<typeof JobSchema>;

/** How long one task of a job may run: its own limit, or the job's. */
export const taskTimeoutOf = (job: Pick<JobNode, "timeoutSeconds" | "taskTimeoutSeconds">): number =>
  job.taskTimeoutSeconds ?? job.timeoutSeconds;

/**
 * One light task's limit: the run-tasks Lambda has 300 s in staging and 600 s in production, and
 * stops a task 15 s before its own timeout (STOP_MARGIN_MS) to give it back.
 */
export const LIGHT_TASK_SECONDS = 240;

/**
 * Archivematica's batch: for the per-file jobs whose tasks must stay short — a light job's, which
 * has to finish within the run-tasks Lambda's limit whatever the files' sizes, and normalization's,
 * whose work on a file is long and whose files should spread over as many workers as there are.
 */
export const ARCHIVEMATICA_BATCH_SIZE = 128;

export type DecisionNode = z.infer<typeof DecisionSchema>;
export type WorkflowNode = z.infer<typeof NodeSchema>;
export type Workflow = z.infer<typeof WorkflowSchema>;
export type WorkflowInput = z.input<typeof WorkflowSchema>;
