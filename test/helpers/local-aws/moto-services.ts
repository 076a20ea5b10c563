/**
 * moto's server (python3 `moto_server`, maintained by the moto project), plain, for SQS and S3: in a child process on an
 * ephemeral port: SQS with visibility timeouts, receipt handles and batch semantics, and S3. Each
 * server has its own in-memory state, so every suite starts one and stops it.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";

export interface MotoServices {
  /** http://127.0.0.1:<port>: the endpoint for every service. */
  endpoint: string;
  /** Fake credentials and the region moto's ARNs and queue URLs use. */
  region: "us-east-1";
  credentials: { accessKeyId: string; secretAccessKey: string };
  close(): Promise<void>;
}

const LISTENING = /Running on http:\/\/127\.0\.0\.1:(\d+)/;

export async function startMotoServices(): Promise<MotoServices> {
  const child: ChildProcess = spawn("moto_server", ["-H", "127.0.0.1", "-p", "0"], {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, PYTHONUNBUFFERED: "1" },
  });
  let output = "";
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`moto_server did not listen within 120 s:\n${output}`)),
      120_000,
    );
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`moto_server could not start (python3 with moto 5 is required): ${error.message}`));
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`moto_server exited with code ${code} before listening:\n${output}`));
    });
    child.stderr!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = LISTENING.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
  });
  child.removeAllListeners("exit");
  child.stderr!.resume(); // keep draining the request log
  return {
    endpoint: `http://127.0.0.1:${port}`,
    region: "us-east-1",
    credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
    async close() {
      if (child.exitCode !== null) return;
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}
