import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { type AipAudit, type AuditOptions, auditAips, FIXITY_FAILURES_METRIC } from "../audit/index.ts";
import type { AwsRuntime } from "./aws-runtime.ts";

export type AuditRunDeps = Pick<
  AwsRuntime,
  "store" | "objects" | "logger" | "metrics" | "agents" | "ensureAgents"
>;

export interface AuditRunSummary {
  audited: number;
  failed: number;
  handedOff: number;
}

/**
 * One fixity audit on AWS, as the scheduled function and a heavy worker (for an AIP handed to it) both
 * run it: the events name this deployment's agents, each failure is logged naming the AIP and its
 * files, and the counts are metrics (the mismatch alarm watches FIXITY_FAILURES_METRIC).
 */
export async function runAudit(deps: AuditRunDeps, options: AuditOptions): Promise<AuditRunSummary> {
  await deps.ensureAgents();
  const results = await auditAips(
    { store: deps.store, agents: deps.agents, objectsFor: () => deps.objects },
    options,
  );
  const failed = results.filter((r) => r.outcome === "failed");
  const handedOff = results.filter((r) => r.outcome === "handed off");
  for (const r of failed) deps.logger.error("fixity audit: AIP does not match its manifests", summary(r));
  for (const r of handedOff) {
    deps.logger.info("fixity audit: AIP handed to the heavy queue (too much to re-read here)", {
      aip: r.name,
      location: r.location,
    });
  }
  const audited = results.length - handedOff.length;
  deps.logger.info("fixity audit done", { audited, failed: failed.length, handedOff: handedOff.length });
  deps.metrics.addMetric("AipsAudited", MetricUnit.Count, audited);
  deps.metrics.addMetric("AipsHandedOff", MetricUnit.Count, handedOff.length);
  deps.metrics.addMetric(FIXITY_FAILURES_METRIC, MetricUnit.Count, failed.length);
  return { audited, failed: failed.length, handedOff: handedOff.length };
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
