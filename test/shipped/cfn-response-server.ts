/**
 * Where a custom resource's handler answers CloudFormation: the event's ResponseURL, a pre-signed
 * HTTPS URL. aws-cdk-lib's Node.js handlers PUT to it with `https.request({ hostname, path })` —
 * always TLS, always port 443, whatever the URL says — so this server listens with TLS on port 443
 * of a loopback address of its own (127.x.y.z: another run on the machine has another one), with a
 * certificate made here by openssl for that address. The handlers' runtimes trust it as they trust
 * the real endpoint's: NODE_EXTRA_CA_CERTS (Node.js) and SSL_CERT_FILE (Python), with verification on.
 * Listening on port 443 needs root or CAP_NET_BIND_SERVICE.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { createServer, type Server } from "node:https";
import os from "node:os";
import path from "node:path";

/** What CloudFormation receives: the body of the PUT to the ResponseURL. */
export interface CfnResponse {
  Status: "SUCCESS" | "FAILED";
  Reason?: string;
  PhysicalResourceId: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  NoEcho?: boolean;
  Data?: Record<string, unknown>;
}

export interface CfnResponseServer {
  /** The CA file (the server's self-signed certificate) a runtime must trust. */
  caFile: string;
  /** A fresh ResponseURL for one request. */
  responseUrl(requestId: string): string;
  /** The responses received for a request, in order (a handler retries a failed PUT). */
  responses(requestId: string): CfnResponse[];
  close(): Promise<void>;
}

async function makeCertificate(dir: string, address: string): Promise<{ key: Buffer; cert: Buffer }> {
  const [keyFile, certFile] = [path.join(dir, "key.pem"), path.join(dir, "cert.pem")];
  const child = spawn(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "1",
      "-subj",
      `/CN=${address}`,
      "-addext",
      `subjectAltName=IP:${address}`,
      "-keyout",
      keyFile,
      "-out",
      certFile,
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  child.stderr!.on("data", (chunk) => {
    stderr += chunk;
  });
  const [code] = (await once(child, "exit")) as [number];
  if (code !== 0) throw new Error(`openssl could not make the ResponseURL certificate (${code}): ${stderr}`);
  return { key: await readFile(keyFile), cert: await readFile(certFile) };
}

function listen(server: Server, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(443, address, () => {
      server.off("error", reject);
      resolve();
    });
  });
}

export async function startCfnResponseServer(): Promise<CfnResponseServer> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "stepmatica-cfn-response-"));
  const received = new Map<string, CfnResponse[]>();
  for (let attempt = 0; ; attempt++) {
    const octet = () => 1 + Math.floor(Math.random() * 254);
    const address = `127.${octet()}.${octet()}.${octet()}`;
    const { key, cert } = await makeCertificate(dir, address);
    const server = createServer({ key, cert }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        const requestId = decodeURIComponent(new URL(req.url ?? "/", "https://x").pathname.split("/").pop()!);
        try {
          if (req.method !== "PUT") throw new Error(`${req.method} instead of PUT`);
          const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as CfnResponse;
          received.set(requestId, [...(received.get(requestId) ?? []), body]);
          res.writeHead(200).end();
        } catch (error) {
          res.writeHead(400).end(String(error));
        }
      });
    });
    try {
      await listen(server, address);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EADDRINUSE" && attempt < 5) continue;
      await rm(dir, { recursive: true, force: true });
      throw new Error(
        `the ResponseURL server cannot listen on ${address}:443 (${code}): it needs root or CAP_NET_BIND_SERVICE`,
      );
    }
    return {
      caFile: path.join(dir, "cert.pem"),
      responseUrl: (requestId) =>
        `https://${address}/cloudformation-response/${encodeURIComponent(requestId)}?X-Amz-Signature=${randomUUID()}`,
      responses: (requestId) => received.get(requestId) ?? [],
      async close() {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await rm(dir, { recursive: true, force: true });
      },
    };
  }
}
