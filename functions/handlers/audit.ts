import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { Context } from "aws-lambda";
import { type AipAudit, auditAips, FIXITY_FAILURES_METRIC } from "../audit/index.ts";
import { type AwsRuntime, awsRuntime, flushMetrics, inLambda, lambdaRuntime } from "./aws-runtime.ts";

type Deps = Pick<AwsRuntime, "store" | "objects" | "logger" | "metrics" | "agents" | "ensureAgents">;

/**
 * The scheduled fixity audit (an EventBridge schedule; the event is ignored): verifies up to
 * AUDIT_AIPS_PER_RUN stored AIPs, those audited longest ago first, so every AIP comes round in turn.
 * Each failure is logged naming the AIP and its files; the failure count is a metric with an alarm.
 */
export function createAuditHandler(deps: Deps, limit: number) {
  return async (): Promise<{ audited: number; failed: number }> => {
    try {
      await deps.ensureAgents(); // the events name this deployment's agents
      const results = await auditAips(
        { store: deps.store, agents: deps.agents, objectsFor: () => deps.objects },
        { limit },
      );
      const failed = results.filter((r) => r.outcome === "failed");
      for (const r of failed) deps.logger.error("fixity audit: AIP does not match its manifests", summary(r));
      deps.logger.info("fixity audit done", { audited: results.length, failed: failed.length });
      deps.metrics.addMetric("AipsAudited", MetricUnit.Count, results.length);
      deps.metrics.addMetric(FIXITY_FAILURES_METRIC, MetricUnit.Count, failed.length);
      return { audited: results.length, failed: failed.length };
    } finally {
      flushMetrics(deps.metrics);
    }
  };
}

function summary(r: AipAudit) {
  return {
    aip: r.name,
    location: r.location,
    mismatches: r.mismatches
      .slice(0, 50)
      .map((m) => ({ file: m.file, expected: m.expected, found: m.found })),
    problems: r.problems.slice(0, 50),
  };
}

if (inLambda()) awsRuntime(); // a bad environment fails the cold start, naming the variable

let lambdaHandler: ReturnType<typeof createAuditHandler> | undefined;
export const handler = (_event: unknown, context?: Context) => {
  const runtime = lambdaRuntime(context);
  lambdaHandler ??= createAuditHandler(runtime, Number(process.env.AUDIT_AIPS_PER_RUN ?? 50));
  return lambdaHandler();
};
