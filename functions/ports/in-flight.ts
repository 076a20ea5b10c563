/**
 * The tasks of each job still in flight (ElastiCache / Redis, or memory). Not the source of truth:
 * when a set is lost it is rebuilt from the task rows.
 */
export type RemoveResult =
  /** The set now holds no task: the caller settles the job (may happen twice after a crash: harmless). */
  | "empty"
  /** Other tasks of the job are still in flight. */
  | "pending"
  /** No set for this job (cache flushed or expired): rebuild it from the task rows, then remove again. */
  | "missing";

export interface InFlight {
  /** Creates or extends the job's set; the set expires ttlSeconds after the last add. */
  add(jobId: string, taskIds: string[], ttlSeconds: number): Promise<void>;
  /** Atomically removes the task and reports what is left. */
  remove(jobId: string, taskId: string): Promise<RemoveResult>;
  members(jobId: string): Promise<string[]>;
  /** Drops the job's set (after it is settled). */
  clear(jobId: string): Promise<void>;
  close(): Promise<void>;
}
