/** s3rver (an S3-compatible server on the file system) in a child process on a random port. */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";

export interface LocalS3 {
  /** Client configuration reaching the server: path-style addressing, s3rver's built-in credentials. */
  clientConfig: S3ClientConfig;
  /** Where s3rver keeps the objects: `<directory>/<bucket>/<key path>._S3rver_object` (tests corrupt them there). */
  directory: string;
  close(): Promise<void>;
}

const CHILD = path.join(path.dirname(fileURLToPath(import.meta.url)), "s3rver-child.cjs");

export async function startLocalS3(buckets: string[]): Promise<LocalS3> {
  const directory = await mkdtemp(path.join(os.tmpdir(), "stepmatica-s3rver-"));
  const child = spawn(process.execPath, ["--openssl-legacy-provider", CHILD, directory, ...buckets], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout });
  const [first] = (await Promise.race([
    once(lines, "line"),
    once(child, "exit").then(([code]) => {
      throw new Error(`s3rver exited with code ${code} before listening`);
    }),
  ])) as [string];
  const { port } = JSON.parse(first) as { port: number };
  return {
    directory,
    clientConfig: {
      region: "us-east-1",
      endpoint: `http://127.0.0.1:${port}`,
      forcePathStyle: true,
      credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" },
    },
    async close() {
      const exited = once(child, "exit");
      child.stdin.end();
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/**
 * A client that records the S3 operations it sends, by name ("PutObject"), and can fail the nth of
 * one of them (to prove an abort path).
 */
export function recordingClient(config: S3ClientConfig, failOn?: { command: string; nth: number }) {
  const client = new S3Client(config);
  const commands: string[] = [];
  client.middlewareStack.add(
    (next, context) => async (args) => {
      commands.push(String(context.commandName).replace(/Command$/, ""));
      const seen = commands.filter((c) => c === failOn?.command).length;
      if (failOn && commands.at(-1) === failOn.command && seen === failOn.nth)
        throw new Error("connection reset (injected)");
      return next(args);
    },
    { step: "initialize" },
  );
  return { client, commands };
}
