/**
 * The Step Functions API (awsJson1_0) in front of the local ASL engine, so the bundled handlers
 * reach "Step Functions" through their own SDK client (AWS_ENDPOINT_URL_SFN) while the states of
 * the template's definitions run in-process and their Task states invoke the bundled dispatch-job.
 * Only what the handlers and the smoke check call: StartExecution, DescribeExecution and the three
 * task-token calls. An independent engine replacing this is the other half of the issue.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { ExecutionStore } from "../../functions/adapters/local/execution-store.ts";
import type { LocalWorkflowEngine } from "../../functions/adapters/local/local-engine.ts";
import type { WorkflowName } from "../../functions/ports/workflow-engine.ts";

class ApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

export interface SfnEndpoint {
  endpoint: string;
  close(): Promise<void>;
}

export async function startSfnEndpoint(options: {
  engine: LocalWorkflowEngine;
  executions: ExecutionStore;
  /** The state machine ARNs the functions are configured with. */
  stateMachineArns: Record<WorkflowName, string>;
}): Promise<SfnEndpoint> {
  const { engine, executions, stateMachineArns } = options;
  /** executionArn (as the caller derives it) → the local execution and its start. */
  const started = new Map<string, { localId: string; input: string; startDate: number }>();

  const operations: Record<string, (body: Record<string, unknown>) => Promise<unknown>> = {
    async StartExecution(body) {
      const arn = String(body.stateMachineArn);
      const workflow = (Object.keys(stateMachineArns) as WorkflowName[]).find(
        (w) => stateMachineArns[w] === arn,
      );
      if (!workflow) throw new ApiError("StateMachineDoesNotExist", `State Machine Does Not Exist: '${arn}'`);
      const name = String(body.name);
      const input = String(body.input ?? "{}");
      const executionArn = `${arn.replace(":stateMachine:", ":execution:")}:${name}`;
      const result = await engine.startExecution(workflow, name, JSON.parse(input));
      const known = started.get(executionArn);
      if (result.alreadyStarted && known && known.input !== input)
        throw new ApiError("ExecutionAlreadyExists", `Execution Already Exists: '${executionArn}'`);
      if (!known) started.set(executionArn, { localId: result.executionId, input, startDate: Date.now() });
      return { executionArn, startDate: started.get(executionArn)!.startDate / 1000 };
    },
    async DescribeExecution(body) {
      const executionArn = String(body.executionArn);
      const known = started.get(executionArn);
      const record = known ? await executions.get(known.localId) : null;
      if (!known || !record)
        throw new ApiError("ExecutionDoesNotExist", `Execution Does Not Exist: '${executionArn}'`);
      return {
        executionArn,
        status: record.status,
        input: known.input,
        startDate: known.startDate / 1000,
        ...(record.error ? { error: record.error } : {}),
        ...(record.cause ? { cause: record.cause } : {}),
      };
    },
    async SendTaskSuccess(body) {
      await engine.sendTaskSuccess(String(body.taskToken), JSON.parse(String(body.output)));
      return {};
    },
    async SendTaskFailure(body) {
      await engine.sendTaskFailure(
        String(body.taskToken),
        String(body.error ?? ""),
        String(body.cause ?? ""),
      );
      return {};
    },
    async SendTaskHeartbeat(body) {
      await engine.sendTaskHeartbeat(String(body.taskToken));
      return {};
    },
  };

  const server = createServer((request, response) => {
    let text = "";
    request.on("data", (chunk) => {
      text += chunk;
    });
    request.on("end", async () => {
      const operation = String(request.headers["x-amz-target"] ?? "").replace("AWSStepFunctions.", "");
      const reply = (status: number, payload: unknown) =>
        response
          .writeHead(status, { "content-type": "application/x-amz-json-1.0" })
          .end(JSON.stringify(payload));
      try {
        const run = operations[operation];
        if (!run) throw new ApiError("UnknownOperationException", `${operation} is not served here`);
        reply(200, await run(JSON.parse(text || "{}") as Record<string, unknown>));
      } catch (error) {
        const type = error instanceof ApiError ? error.type : "InternalFailure";
        reply(error instanceof ApiError ? 400 : 500, { __type: type, message: (error as Error).message });
      }
    });
  });
  server.listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
