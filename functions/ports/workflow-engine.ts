export type WorkflowName = "transfer" | "ingest";

export interface StartResult {
  executionId: string;
  /** True when an execution with this name already existed (a duplicate delivery): not an error. */
  alreadyStarted: boolean;
}

/** Step Functions, or the same ASL run in-process. Token calls after a settled job are no-ops. */
export interface WorkflowEngine {
  startExecution(workflow: WorkflowName, name: string, input: Record<string, unknown>): Promise<StartResult>;
  sendTaskSuccess(token: string, output: Record<string, unknown>): Promise<void>;
  sendTaskFailure(token: string, error: string, cause: string): Promise<void>;
  sendTaskHeartbeat(token: string): Promise<void>;
  /**
   * Whether any execution of the workflows is running (Step Functions' ListExecutions): lets the
   * scheduled watchdog leave a paused database alone when nothing runs. Absent: unknown.
   */
  hasRunningExecutions?(): Promise<boolean>;
}
