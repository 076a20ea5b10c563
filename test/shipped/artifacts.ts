/**
 * What `cdk synth` ships, read back from cdk.out: the Lambda functions of the template with their
 * asset folders, each copied alone into an empty folder (no node_modules beside it or above it, as
 * in Lambda's /var/task), and the worker image's files as its Dockerfile copies them.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { cp, mkdtemp, readFile, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { Template } from "aws-cdk-lib/assertions";

export interface LambdaAsset {
  logicalId: string;
  runtime: string;
  /** "index.handler": file stem and export. */
  handler: string;
  /** The asset folder in cdk.out. */
  assetDir: string;
  /** The function's environment: literals as deployed, CloudFormation tokens as `{token}`. */
  environment: Record<string, string | { token: unknown }>;
}

type Resource = { Type: string; Properties?: Record<string, unknown> };

/** Every Lambda function of the template whose code is a cdk.out asset (inline ZipFile code has none). */
export function lambdaAssets(template: Template, outdir: string): LambdaAsset[] {
  const resources = template.toJSON().Resources as Record<string, Resource>;
  const out: LambdaAsset[] = [];
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (resource.Type !== "AWS::Lambda::Function") continue;
    const props = resource.Properties ?? {};
    const code = props.Code as { S3Key?: string; ZipFile?: string };
    if (code.ZipFile !== undefined) continue;
    const hash = String(code.S3Key).replace(/\.zip$/, "");
    const variables = ((props.Environment as { Variables?: Record<string, unknown> } | undefined)
      ?.Variables ?? {}) as Record<string, unknown>;
    out.push({
      logicalId,
      runtime: String(props.Runtime),
      handler: String(props.Handler),
      assetDir: path.join(outdir, `asset.${hash}`),
      environment: Object.fromEntries(
        Object.entries(variables).map(([k, v]) => [k, typeof v === "string" ? v : { token: v }]),
      ),
    });
  }
  return out;
}

/** Copies an asset alone into a fresh empty folder under the system temp dir (no node_modules up the tree). */
export async function isolate(asset: LambdaAsset): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "stepmatica-lambda-"));
  await cp(asset.assetDir, dir, { recursive: true });
  return dir;
}

/** Imports the handler the way the Node.js runtime does: `<file>.<export>`, .mjs before .js. */
export async function importHandler<T = (...args: unknown[]) => Promise<unknown>>(
  dir: string,
  handler: string,
): Promise<T> {
  const dot = handler.lastIndexOf(".");
  const [file, name] = [handler.slice(0, dot), handler.slice(dot + 1)];
  let module: Record<string, unknown>;
  try {
    module = await import(pathToFileURL(path.join(dir, `${file}.mjs`)).href);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ERR_MODULE_NOT_FOUND" || !String(error).includes(file))
      throw error;
    module = await import(pathToFileURL(path.join(dir, `${file}.js`)).href);
  }
  const fn = module[name];
  if (typeof fn !== "function") throw new Error(`${dir}/${file}: no exported function "${name}"`);
  return fn as T;
}

/** The `COPY <src>... <dest>` lines of a Dockerfile, in order (no flags, no ADD: the worker's has none). */
export function dockerCopies(dockerfile: string): Array<{ sources: string[]; dest: string }> {
  return dockerfile
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => /^COPY\s/i.test(line))
    .map((line) => {
      const parts = line.split(/\s+/).slice(1);
      if (parts.some((p) => p.startsWith("--"))) throw new Error(`unsupported COPY flags: ${line}`);
      return { sources: parts.slice(0, -1), dest: parts.at(-1)! };
    });
}

/** The worker image's docker asset in cdk.out: its build context and Dockerfile. */
export async function workerDockerAsset(outdir: string, stackName: string) {
  const manifest = JSON.parse(await readFile(path.join(outdir, `${stackName}.assets.json`), "utf8")) as {
    dockerImages?: Record<string, { source: { directory: string; dockerFile?: string } }>;
  };
  const images = Object.values(manifest.dockerImages ?? {});
  if (images.length !== 1)
    throw new Error(`${stackName}: expected one docker image asset, found ${images.length}`);
  const { directory, dockerFile = "Dockerfile" } = images[0]!.source;
  return { context: path.join(outdir, directory), dockerFile };
}

/**
 * The worker image's WORKDIR, built from its docker asset the way its Dockerfile does: every COPY
 * into WORKDIR, then `npm ci --omit=dev` — so the heavy tasks run from the production dependencies
 * and the files the image holds, not from the source tree.
 */
export async function workerApp(asset: { context: string; dockerFile: string }): Promise<string> {
  const dockerfile = await readFile(path.join(asset.context, asset.dockerFile), "utf8");
  const workdir = /^WORKDIR\s+(\S+)/m.exec(dockerfile)?.[1] ?? "/";
  const app = await mkdtemp(path.join(os.tmpdir(), "stepmatica-worker-app-"));
  for (const { sources, dest } of dockerCopies(dockerfile)) {
    const target = path.posix.resolve(workdir, dest);
    if (target !== workdir && !target.startsWith(`${workdir}/`)) continue; // e.g. the tool installer in /tmp
    const into = path.join(app, path.posix.relative(workdir, target));
    for (const source of sources) {
      const from = path.join(asset.context, source);
      // Docker: a directory's contents go into dest; a file goes into dest/ or becomes dest.
      const isDir = (await stat(from)).isDirectory();
      const to = isDir || !dest.endsWith("/") ? into : path.join(into, path.basename(source));
      await cp(from, to, { recursive: true });
    }
  }
  const child = spawn("npm", ["ci", "--omit=dev", "--prefer-offline", "--no-audit", "--no-fund"], {
    cwd: app,
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, NODE_ENV: "production" },
  });
  let stderr = "";
  child.stderr!.on("data", (chunk) => {
    stderr += chunk;
  });
  const [code] = (await once(child, "exit")) as [number];
  if (code !== 0) throw new Error(`npm ci --omit=dev in ${app} failed (${code}):\n${stderr.slice(-2000)}`);
  return app;
}
