/**
 * moto's server (python3 -m moto, `moto_server`) on an ephemeral port, with its Step Functions
 * backend switched to the States Language interpreter it embeds (LocalStack's ASL parser and
 * executor, moto.stepfunctions.parser): CreateStateMachine parses and checks the definition as the
 * service does, StartExecution runs it, SendTaskSuccess/Failure/Heartbeat settle its task tokens.
 *
 * What we substitute, and why: moto's engine calls the Lambda Invoke API on its own port (the
 * MOTO_PORT it was started with), where moto's Lambda would need Docker to run a function. So the
 * server is fronted by a small proxy on that port: Lambda Invoke requests (POST
 * /2015-03-31/functions/{name}/invocations) go to the handler the test registers for the function —
 * the way the Lambda service hands an event to a function and turns a thrown error into
 * `X-Amz-Function-Error: Unhandled` — and every other request goes to moto unchanged. moto runs from
 * moto_sfn_server.py, which patches seven places where moto crashes or differs from the service (a
 * second execution, a token per retry attempt, States.Runtime, a Fail state re-raising a States.*
 * error, a token settled during the Invoke, SendTaskFailure's cause, the startExecution
 * integration); see that file.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";

export type LambdaFunction = (event: unknown) => Promise<unknown>;

/**
 * Thrown by a registered handler: the Invoke call fails as the Lambda service fails it (HTTP 5xx,
 * an error type such as ServiceException), which Step Functions reports as `Lambda.<type>`.
 * Anything else a handler throws is a function error (`X-Amz-Function-Error: Unhandled`).
 */
export class LambdaServiceError extends Error {
  constructor(readonly type = "ServiceException") {
    super(`Lambda service error ${type} (injected)`);
    this.name = `Lambda.${type}`;
  }
}

export interface MotoServer {
  /** The endpoint for every SDK client (the proxy in front of moto). */
  endpoint: string;
  region: "us-east-1";
  accountId: string;
  /** Fake credentials (moto checks none). */
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Routes Lambda Invoke of a function (its name or ARN) to a handler. */
  registerFunction(nameOrArn: string, handler: LambdaFunction): void;
  /**
   * CreateStateMachine, answered with the ARN or thrown as the service's message. (Not through the
   * SDK: moto 5.2.1 answers InvalidDefinition with `"__type": null`, which the SDK cannot parse.)
   */
  createStateMachine(name: string, definition: string): Promise<string>;
  /** The server's recent output (request log, tracebacks): for failure messages. */
  output(): string;
  close(): Promise<void>;
}

/** moto's server with the patches its Step Functions interpreter needs (each explained there). */
const LAUNCHER = fileURLToPath(new URL("./moto_sfn_server.py", import.meta.url));
interface InvokeAnswer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}
const LAMBDA_INVOKE = /^\/2015-03-31\/functions\/([^/]+)\/invocations/;
const functionNameOf = (nameOrArn: string) => nameOrArn.split(":function:").pop()!.split(":")[0]!;

async function body(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function startMotoProcess(
  proxyPort: number,
): Promise<{ child: ChildProcess; port: number; output: () => string }> {
  const child = spawn("python3", [LAUNCHER, "-H", "127.0.0.1", "-p", "0"], {
    env: { ...process.env, MOTO_PORT: String(proxyPort) },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`moto's server did not start within 120 s: ${output}`));
    }, 120_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Running on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, port: Number(match[1]), output: () => output.slice(-20_000) });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`python3 could not start moto's server (is moto installed?): ${error.message}`));
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`moto's server exited with ${code}: ${output}`));
    });
  });
}

export async function startMotoServer(): Promise<MotoServer> {
  const functions = new Map<string, LambdaFunction>();
  let motoPort = 0;

  const invoke = async (name: string, payload: Buffer): Promise<InvokeAnswer> => {
    const handler = functions.get(name);
    if (!handler) {
      return {
        status: 404,
        headers: { "x-amzn-errortype": "ResourceNotFoundException" },
        body: { Type: "User", message: `Function not found: ${name}` },
      };
    }
    try {
      const event = payload.length > 0 ? JSON.parse(payload.toString("utf8")) : {};
      return { status: 200, headers: {}, body: (await handler(event)) ?? null };
    } catch (error) {
      if (error instanceof LambdaServiceError) {
        return {
          status: 500,
          headers: { "x-amzn-errortype": error.type },
          body: { Type: "Service", message: error.message },
        };
      }
      const e = error instanceof Error ? error : new Error(String(error));
      return {
        status: 200,
        headers: { "x-amz-function-error": "Unhandled" },
        body: { errorType: e.name, errorMessage: e.message, trace: [] },
      };
    }
  };

  const proxy = createServer((req, res) => {
    void (async () => {
      const payload = await body(req);
      const lambda = req.method === "POST" ? LAMBDA_INVOKE.exec(req.url ?? "") : null;
      if (lambda) {
        const answer = await invoke(functionNameOf(decodeURIComponent(lambda[1]!)), payload);
        res.writeHead(answer.status, {
          "content-type": "application/json",
          "x-amz-executed-version": "$LATEST",
          "x-amzn-requestid": randomUUID(),
          ...answer.headers,
        });
        res.end(JSON.stringify(answer.body));
        return;
      }
      // One connection per request (moto's server closes each one; a reused keep-alive socket
      // would be reset). A failed forward drops the client's connection, as a network fault would,
      // so the SDK's own retry applies.
      const forward = request(
        {
          host: "127.0.0.1",
          port: motoPort,
          method: req.method,
          path: req.url,
          headers: req.headers,
          agent: false,
        },
        (upstream) => {
          res.writeHead(upstream.statusCode ?? 502, upstream.headers);
          upstream.pipe(res);
        },
      );
      forward.on("error", () => res.destroy());
      forward.end(payload);
    })().catch((error: unknown) => {
      res.writeHead(500);
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const proxyPort = (proxy.address() as AddressInfo).port;
  const { child, port, output } = await startMotoProcess(proxyPort).catch(async (error: unknown) => {
    proxy.close();
    throw error;
  });
  motoPort = port;
  const endpoint = `http://127.0.0.1:${proxyPort}`;

  // Step Functions executes definitions (the parser-based backend) instead of only storing them.
  const configured = await fetch(`${endpoint}/moto-api/config`, {
    method: "POST",
    body: JSON.stringify({ stepfunctions: { execute_state_machine: true } }),
  });
  if (!configured.ok) throw new Error(`moto config refused: ${configured.status}`);

  return {
    endpoint,
    region: "us-east-1",
    accountId: "123456789012",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    output,
    async createStateMachine(name, definition) {
      const response = await fetch(endpoint, {
        method: "POST",
        headers: {
          "content-type": "application/x-amz-json-1.0",
          "x-amz-target": "AWSStepFunctions.CreateStateMachine",
          // moto routes by the credential scope's service; it does not check the signature.
          authorization:
            "AWS4-HMAC-SHA256 Credential=local/20260101/us-east-1/states/aws4_request, SignedHeaders=host, Signature=0",
        },
        body: JSON.stringify({
          name,
          definition,
          roleArn: "arn:aws:iam::123456789012:role/stepmatica-states",
        }),
      });
      const answer = (await response.json()) as { stateMachineArn?: string; message?: string };
      if (!response.ok || !answer.stateMachineArn) {
        throw new Error(`CreateStateMachine ${name} refused (${response.status}): ${answer.message}`);
      }
      return answer.stateMachineArn;
    },
    registerFunction(nameOrArn, handler) {
      functions.set(functionNameOf(nameOrArn), handler);
    },
    async close() {
      child.removeAllListeners("exit");
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
      proxy.closeAllConnections();
      await new Promise<void>((resolve) => proxy.close(() => resolve()));
    },
  };
}
