import type { Context } from "aws-lambda";
import { z } from "zod";
import { type AuditRunDeps, type AuditRunSummary, runAudit } from "./audit-run.ts";
import { type AwsRuntime, awsRuntime, flushMetrics, inLambda, lambdaRuntime } from "./aws-runtime.ts";

type Deps = AuditRunDeps & Pick<AwsRuntime, "queue">;

export interface AuditSettings {
  /** AIPs one run verifies at most. */
  aipsPerRun: number;
  /** An AIP with more bytes to re-read than this goes to the heavy queue instead. */
  maxRehashBytes: number;
}

/**
 * Re-reading S3 from the function at this rate or better (a conservative figure for one Lambda
 * streaming objects): the run starts no AIP once what is left of its time could not re-read the
 * largest one it may take.
 */
const ASSUMED_REHASH_BYTES_PER_SECOND = 50 * 1024 * 1024;
const FINISH_MARGIN_MS = 30_000;

const Settings = z.object({
  AUDIT_AIPS_PER_RUN: z.coerce.number().int().min(1).default(50),
  AUDIT_MAX_REHASH_BYTES: z.coerce
    .number()
    .int()
    .min(0)
    .default(10 * 1024 ** 3),
});

export function auditSettings(env: NodeJS.ProcessEnv): AuditSettings {
  const parsed = Settings.parse(env);
  return { aipsPerRun: parsed.AUDIT_AIPS_PER_RUN, maxRehashBytes: parsed.AUDIT_MAX_REHASH_BYTES };
}

/**
 * The scheduled fixity audit (an EventBridge schedule; the event is ignored): verifies up to
 * `aipsPerRun` stored AIPs, those audited longest ago first, so every AIP comes round in turn. An AIP
 * whose re-read would not fit in a run (no checksum kept by S3 and more than `maxRehashBytes`) is sent
 * to the heavy queue, where a worker audits it with no time limit; the run starts no AIP it might not
 * finish before the function's timeout.
 */
export function createAuditHandler(deps: Deps, settings: AuditSettings) {
  return async (remainingMs: () => number = () => 900_000): Promise<AuditRunSummary> => {
    const reserveMs = (settings.maxRehashBytes / ASSUMED_REHASH_BYTES_PER_SECOND) * 1000 + FINISH_MARGIN_MS;
    try {
      return await runAudit(deps, {
        limit: settings.aipsPerRun,
        startBefore: Date.now() + remainingMs() - reserveMs,
        handOff: {
          maxRehashBytes: settings.maxRehashBytes,
          send: (aip) => deps.queue.send("heavy", [{ audit: aip.id }]),
        },
      });
    } finally {
      flushMetrics(deps.metrics);
    }
  };
}

// A bad environment fails the cold start, naming the variable.
if (inLambda()) {
  awsRuntime();
  auditSettings(process.env);
}

let lambdaHandler: ReturnType<typeof createAuditHandler> | undefined;
export const handler = (_event: unknown, context?: Context) => {
  const runtime = lambdaRuntime(context);
  lambdaHandler ??= createAuditHandler(runtime, auditSettings(process.env));
  return lambdaHandler(context ? () => context.getRemainingTimeInMillis() : undefined);
};
