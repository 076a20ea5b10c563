import { createHash } from "node:crypto";
import { isDeepStrictEqual } from "node:util";
import {
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  type SFNClientConfig,
  StartExecutionCommand,
} from "@aws-sdk/client-sfn";
import type { StartResult, WorkflowEngine, WorkflowName } from "../../ports/workflow-engine.ts";
import { type AdapterLogger, stderrLogger } from "./logger.ts";
import { errorName } from "./retry.ts";

export interface SfnEngineOptions {
  /** The state machine of each workflow. */
  stateMachineArns: Record<WorkflowName, string>;
  /** The SDK client, or its configuration (region, endpoint: AWS_ENDPOINT_URL_SFN also works). */
  client?: SFNClient;
  clientConfig?: SFNClientConfig;
  logger?: AdapterLogger;
  /**
   * Step Functions answers a repeated StartExecution (same name and input, still running) with the
   * original execution; one whose start date is this much older than the call was already started.
   */
  clockSkewMs?: number;
}

/** Token errors that mean the job was already settled (or timed out): a repeated send is harmless. */
const SETTLED_TOKEN_ERRORS = new Set(["TaskTimedOut", "InvalidToken", "TaskDoesNotExist"]);

const MAX_NAME = 80;

/**
 * Step Functions execution names: 1–80 characters; the set here ([A-Za-z0-9_-]) is the one that also
 * keeps CloudWatch logging possible. A name that had to change gets a hash of the original so two
 * different names never collapse into one, and the same name always maps to the same execution.
 */
export function executionName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_-]/g, "-");
  if (cleaned === name && name.length > 0 && name.length <= MAX_NAME) return name;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 16);
  return `${cleaned.slice(0, MAX_NAME - hash.length - 1)}-${hash}`;
}

export class SfnEngine implements WorkflowEngine {
  private readonly client: SFNClient;
  private readonly logger: AdapterLogger;
  private readonly clockSkewMs: number;

  constructor(private readonly options: SfnEngineOptions) {
    this.client = options.client ?? new SFNClient(options.clientConfig ?? {});
    this.logger = options.logger ?? stderrLogger;
    this.clockSkewMs = options.clockSkewMs ?? 5_000;
  }

  async startExecution(
    workflow: WorkflowName,
    name: string,
    input: Record<string, unknown>,
  ): Promise<StartResult> {
    const stateMachineArn = this.options.stateMachineArns[workflow];
    if (!stateMachineArn) throw new Error(`no state machine configured for workflow "${workflow}"`);
    const safeName = executionName(name);
    const calledAt = Date.now();
    try {
      const started = await this.client.send(
        new StartExecutionCommand({ stateMachineArn, name: safeName, input: JSON.stringify(input) }),
      );
      const startedAt = started.startDate?.getTime() ?? calledAt;
      return { executionId: started.executionArn!, alreadyStarted: startedAt < calledAt - this.clockSkewMs };
    } catch (error) {
      if (errorName(error) !== "ExecutionAlreadyExists") throw error;
      // A closed execution with this name, or one started with other input: only the former is a duplicate.
      const executionArn = `${stateMachineArn.replace(":stateMachine:", ":execution:")}:${safeName}`;
      const existing = await this.client.send(new DescribeExecutionCommand({ executionArn }));
      if (!isDeepStrictEqual(JSON.parse(existing.input ?? "null"), JSON.parse(JSON.stringify(input)))) {
        throw new Error(
          `workflow ${workflow}: execution "${safeName}" already exists with different input (status ${existing.status})`,
        );
      }
      return { executionId: executionArn, alreadyStarted: true };
    }
  }

  async sendTaskSuccess(token: string, output: Record<string, unknown>): Promise<void> {
    await this.settle("SendTaskSuccess", () =>
      this.client.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) })),
    );
  }

  async sendTaskFailure(token: string, error: string, cause: string): Promise<void> {
    await this.settle("SendTaskFailure", () =>
      this.client.send(
        new SendTaskFailureCommand({
          taskToken: token,
          error: error.slice(0, 256),
          cause: cause.slice(0, 32_768),
        }),
      ),
    );
  }

  async sendTaskHeartbeat(token: string): Promise<void> {
    await this.settle("SendTaskHeartbeat", () =>
      this.client.send(new SendTaskHeartbeatCommand({ taskToken: token })),
    );
  }

  async hasRunningExecutions(): Promise<boolean> {
    for (const stateMachineArn of Object.values(this.options.stateMachineArns)) {
      const page = await this.client.send(
        new ListExecutionsCommand({ stateMachineArn, statusFilter: "RUNNING", maxResults: 1 }),
      );
      if ((page.executions?.length ?? 0) > 0) return true;
    }
    return false;
  }

  private async settle(operation: string, call: () => Promise<unknown>): Promise<void> {
    try {
      await call();
    } catch (error) {
      const name = errorName(error);
      if (!SETTLED_TOKEN_ERRORS.has(name)) throw error;
      this.logger.warn(`${operation}: token already settled or timed out, nothing to do`, { error: name });
    }
  }
}
