/**
 * A local stand-in for the Step Functions API (awsJson1_0: POST / with X-Amz-Target
 * AWSStepFunctions.<Operation>) holding executions and task tokens in memory, with the service's
 * semantics for what the adapter relies on: idempotent StartExecution (same name and input of a running
 * execution → the original; closed or other input → ExecutionAlreadyExists), name validation, and the
 * token errors after a task was settled (TaskTimedOut), timed out (TaskTimedOut), its execution ended
 * (TaskDoesNotExist) or the token is garbage (InvalidToken).
 */
import { randomBytes, randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

class SfnError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

interface Execution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  input: string;
  status: "RUNNING" | "SUCCEEDED" | "ABORTED";
  startDate: number;
}
interface Token {
  executionArn: string;
  state: "open" | "settled" | "timed-out";
  result?: { kind: "success"; output: unknown } | { kind: "failure"; error: string; cause: string };
  heartbeats: number;
}

export interface SfnServer {
  endpoint: string;
  executions: Map<string, Execution>;
  tokens: Map<string, Token>;
  /** What a Task state with waitForTaskToken hands out. */
  issueToken(executionArn: string): string;
  timeOut(token: string): void;
  stop(executionArn: string): void;
  /** Moves an execution's start into the past (a duplicate delivery arriving later). */
  backdate(executionArn: string, seconds: number): void;
  close(): Promise<void>;
}

const FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/]/;
const validName = (name: string) =>
  name.length >= 1 &&
  name.length <= 80 &&
  !FORBIDDEN.test(name) &&
  ![...name].some((ch) => ch.charCodeAt(0) < 0x20 || (ch.charCodeAt(0) >= 0x7f && ch.charCodeAt(0) <= 0x9f));

export async function startSfnServer(stateMachineArns: string[]): Promise<SfnServer> {
  const executions = new Map<string, Execution>();
  const tokens = new Map<string, Token>();

  const openToken = (body: Record<string, unknown>): Token => {
    const token = tokens.get(String(body.taskToken ?? ""));
    if (!token) throw new SfnError("InvalidToken", "Invalid token");
    if (token.state !== "open")
      throw new SfnError("TaskTimedOut", "Task Timed Out: 'Provided task does not exist anymore'");
    if (executions.get(token.executionArn)?.status !== "RUNNING") {
      throw new SfnError("TaskDoesNotExist", "Task does not exist");
    }
    return token;
  };

  const operations: Record<string, (body: Record<string, unknown>) => unknown> = {
    StartExecution(body) {
      const stateMachineArn = String(body.stateMachineArn);
      if (!stateMachineArns.includes(stateMachineArn)) {
        throw new SfnError("StateMachineDoesNotExist", `State Machine Does Not Exist: '${stateMachineArn}'`);
      }
      const name = String(body.name ?? randomUUID());
      if (!validName(name)) throw new SfnError("InvalidName", `Invalid Name: '${name}'`);
      const executionArn = `${stateMachineArn.replace(":stateMachine:", ":execution:")}:${name}`;
      const input = String(body.input ?? "{}");
      const existing = executions.get(executionArn);
      if (existing) {
        if (existing.status === "RUNNING" && existing.input === input) {
          return { executionArn, startDate: existing.startDate };
        }
        throw new SfnError("ExecutionAlreadyExists", `Execution Already Exists: '${executionArn}'`);
      }
      const execution: Execution = {
        executionArn,
        stateMachineArn,
        name,
        input,
        status: "RUNNING",
        startDate: Date.now() / 1000,
      };
      executions.set(executionArn, execution);
      return { executionArn, startDate: execution.startDate };
    },
    DescribeExecution(body) {
      const execution = executions.get(String(body.executionArn));
      if (!execution)
        throw new SfnError("ExecutionDoesNotExist", `Execution Does Not Exist: '${body.executionArn}'`);
      return execution;
    },
    SendTaskSuccess(body) {
      const token = openToken(body);
      token.state = "settled";
      token.result = { kind: "success", output: JSON.parse(String(body.output)) };
      return {};
    },
    SendTaskFailure(body) {
      const token = openToken(body);
      token.state = "settled";
      token.result = { kind: "failure", error: String(body.error ?? ""), cause: String(body.cause ?? "") };
      return {};
    },
    SendTaskHeartbeat(body) {
      openToken(body).heartbeats++;
      return {};
    },
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const target = String(req.headers["x-amz-target"] ?? "");
      const operation = operations[target.replace(/^AWSStepFunctions\./, "")];
      let status = 200;
      let payload: unknown;
      try {
        if (!operation) throw new SfnError("UnknownOperationException", `unknown operation ${target}`);
        payload = operation(JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}"));
      } catch (error) {
        status = 400;
        const e = error instanceof SfnError ? error : new SfnError("InternalFailure", String(error));
        payload = { __type: `com.amazonaws.swf.service.v2.model#${e.type}`, message: e.message };
        if (!(error instanceof SfnError)) status = 500;
      }
      res.writeHead(status, {
        "content-type": "application/x-amz-json-1.0",
        "x-amzn-requestid": randomUUID(),
      });
      res.end(JSON.stringify(payload));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    executions,
    tokens,
    issueToken(executionArn) {
      const token = randomBytes(48).toString("base64");
      tokens.set(token, { executionArn, state: "open", heartbeats: 0 });
      return token;
    },
    timeOut(token) {
      tokens.get(token)!.state = "timed-out";
    },
    stop(executionArn) {
      executions.get(executionArn)!.status = "ABORTED";
    },
    backdate(executionArn, seconds) {
      executions.get(executionArn)!.startDate -= seconds;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
