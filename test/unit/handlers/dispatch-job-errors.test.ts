import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { describe, expect, it } from "vitest";
import { DispatchRetryError } from "../../../functions/core/dispatch-job.ts";
import { createDispatchJobHandler } from "../../../functions/handlers/dispatch-job.ts";
import { DISPATCH_RETRY_ERROR } from "../../../workflows/compile.ts";

process.env.POWERTOOLS_METRICS_DISABLED = "true";
const logger = new Logger({ serviceName: "test", logLevel: "SILENT" });
const metrics = new Metrics({ namespace: "Test", serviceName: "test" });

describe("dispatch-job's errors as Step Functions sees them", () => {
  it("a transient failure is thrown as Stepmatica.DispatchRetry, the name the Task states retry", async () => {
    const store = {
      findJob: async () => {
        throw new Error("DatabaseResumingException: the cluster is resuming");
      },
      getUnit: async () => {
        throw new Error("DatabaseResumingException: the cluster is resuming");
      },
    };
    const handler = createDispatchJobHandler({ store, logger, metrics } as never);
    const error = await handler({
      workflow: "transfer",
      job: "assign_checksums",
      unit: "5f0c7a52-35a6-4d3b-9a7c-0d2f4f3b1e11",
      execution: "arn:aws:states:eu-west-1:123456789012:execution:stepmatica-transfer:x",
      enteredAt: "2026-01-01T00:00:00Z",
      token: "t",
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DispatchRetryError);
    expect((error as Error).name).toBe(DISPATCH_RETRY_ERROR);
    expect((error as Error).message).toMatch(/DatabaseResumingException/);
  });
});
