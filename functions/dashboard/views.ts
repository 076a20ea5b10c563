import type { AipRecord, UnitRecord } from "../core/model.ts";
import type { UnitProgress } from "./queries.ts";

/** The status a person should see: a running unit whose process stopped beating is "interrupted". */
export function displayStatus(
  unit: Pick<UnitRecord, "status" | "heartbeatAt">,
  staleAfterMs: number | undefined,
  now: number,
): string {
  if (unit.status !== "running" || staleAfterMs === undefined) return unit.status;
  const beat = unit.heartbeatAt?.getTime() ?? 0;
  return now - beat > staleAfterMs ? "interrupted" : "running";
}

export function unitView(
  unit: UnitRecord,
  progress: UnitProgress | undefined,
  staleAfterMs: number | undefined,
  now: number,
) {
  return {
    id: unit.id,
    type: unit.type,
    name: unit.name,
    status: unit.status,
    displayStatus: displayStatus(unit, staleAfterMs, now),
    reason: unit.reason,
    source: unit.source,
    parentId: unit.parentId,
    hidden: unit.hidden,
    config: unit.config,
    /** What the transfer's processingMCP.xml answered and what it could not (null: it had none). */
    processingMcp: unit.options.processingMcp ?? null,
    createdAt: unit.createdAt.toISOString(),
    updatedAt: unit.updatedAt.toISOString(),
    progress: progress ?? null,
  };
}

export function aipView(aip: AipRecord) {
  return {
    id: aip.id,
    unitId: aip.unitId,
    location: aip.location,
    sha256: aip.sha256,
    size: aip.size,
    verifiedAt: aip.verifiedAt?.toISOString() ?? null,
    createdAt: aip.createdAt.toISOString(),
  };
}

/** Jobs grouped into microservices in the order they ran (a microservice seen again starts a new group). */
export function groupByMicroservice<J extends { microservice: string }>(jobs: J[]) {
  const groups: Array<{ microservice: string; jobs: J[] }> = [];
  for (const job of jobs) {
    let group = groups.at(-1);
    if (group?.microservice !== job.microservice) {
      group = { microservice: job.microservice, jobs: [] };
      groups.push(group);
    }
    group.jobs.push(job);
  }
  return groups;
}

export const FINISHED_STATUSES = ["completed", "failed", "rejected"] as const;
