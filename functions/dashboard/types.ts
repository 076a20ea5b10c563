import type { AipRecord } from "../core/model.ts";
import type { TaskStore } from "../core/store/task-store.ts";
import type { WorkflowEngine } from "../ports/workflow-engine.ts";

/** Read-only users see everything; operators may also start transfers, answer decisions, hide units. */
export type Role = "reader" | "operator";

export interface Identity {
  /** Who is asking: the Cognito user (sub / username) or "local" for the serve token holder. */
  subject: string;
  roles: Role[];
}

/** One HTTP request, as both the local server and the Lambda adapter see it. */
export interface ApiRequest {
  method: string;
  /** The path without the query, e.g. "/api/units/…". */
  path: string;
  query: Record<string, string | undefined>;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  /** The raw body text (JSON for POST routes). */
  body?: string | undefined;
  /** null when the caller was not authenticated: every route then answers 401. */
  identity: Identity | null;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  /** JSON text (or empty). */
  body: string;
  /** A local file to stream instead of body (AIP download on the embedded runtime). */
  file?: { path: string; size: number; name: string };
}

/** Where an AIP's bytes can be fetched from. */
export type AipDownload =
  | { kind: "file"; path: string; size: number; name: string }
  | { kind: "url"; url: string; expiresInSeconds: number }
  | { kind: "unavailable"; reason: string };

export interface StartTransferInput {
  /** Local runtime: a folder or package on this machine. */
  path: string;
  name?: string;
  /** Processing-configuration overrides, KEY=VALUE as for `--set`. */
  set?: string[];
  preset?: "default" | "automated";
}

/** How transfers begin: from a local path (embedded runtime) or by uploading to the transfer bucket (AWS). */
export type TransferIntake =
  | { kind: "local-path"; start(input: StartTransferInput, startedBy: string): Promise<{ id: string }> }
  | {
      kind: "upload";
      presignUpload(filename: string): Promise<{ url: string; key: string; expiresInSeconds: number }>;
    };

export interface DashboardDeps {
  store: TaskStore;
  /** Resumes a workflow waiting on a decision once it is answered (Step Functions, or the local engine). */
  engine?: WorkflowEngine;
  aipDownload(aip: AipRecord): Promise<AipDownload>;
  transfers: TransferIntake;
  /**
   * A running unit whose process stopped beating for this long shows as "interrupted" (the embedded
   * runtime beats; on AWS Step Functions owns the run and there is no beat: leave undefined).
   */
  staleAfterMs?: number;
  now?: () => number;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
