/**
 * What CloudFormation does around a custom resource, for the shipped suite: reads the resource's
 * properties from the synthesized template (its references resolved to the local resources, an
 * unknown one an error), builds the request it sends to the ServiceToken's function, and publishes
 * file assets to the bootstrap bucket as `cdk deploy` (cdk-assets) does: a folder zipped with its
 * contents at the root, under the manifest's object key.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import type { Template } from "aws-cdk-lib/assertions";
import { sevenZipPath } from "../../functions/archives/seven-zip.ts";

type Resource = { Type: string; Properties?: Record<string, unknown> };

export interface CustomResource {
  logicalId: string;
  type: string;
  /** The logical id of the function its ServiceToken names. */
  serviceToken: string;
  /** Its properties as in the template (ServiceToken included), unresolved. */
  properties: Record<string, unknown>;
}

export type CustomResourceRequest = {
  RequestType: "Create" | "Update" | "Delete";
  ServiceToken: string;
  ResponseURL: string;
  StackId: string;
  RequestId: string;
  LogicalResourceId: string;
  ResourceType: string;
  ResourceProperties: Record<string, unknown>;
  PhysicalResourceId?: string;
  OldResourceProperties?: Record<string, unknown>;
};

/** The template's custom resources (Custom::* and AWS::CloudFormation::CustomResource). */
export function customResources(template: Template): CustomResource[] {
  const resources = template.toJSON().Resources as Record<string, Resource>;
  return Object.entries(resources)
    .filter(([, r]) => r.Type.startsWith("Custom::") || r.Type === "AWS::CloudFormation::CustomResource")
    .map(([logicalId, r]) => {
      const token = r.Properties?.ServiceToken as { "Fn::GetAtt"?: [string, string] } | undefined;
      const [id, attribute] = token?.["Fn::GetAtt"] ?? [];
      if (!id || attribute !== "Arn") throw new Error(`${logicalId}: ServiceToken is not a function's Arn`);
      return { logicalId, type: r.Type, serviceToken: id, properties: r.Properties ?? {} };
    });
}

/**
 * A template value with its references replaced: `Ref` and `Fn::GetAtt` (as "Id.Attribute") looked
 * up in `refs`, `Fn::Sub` and `Fn::Join` evaluated; what `refs` does not know is an error.
 */
export function resolve(value: unknown, refs: Record<string, string>, where: string): unknown {
  const lookup = (name: string) => {
    if (!(name in refs)) throw new Error(`${where}: no local value for ${name}`);
    return refs[name]!;
  };
  if (Array.isArray(value)) return value.map((v) => resolve(v, refs, where));
  if (value === null || typeof value !== "object") return value;
  const object = value as Record<string, unknown>;
  const [key] = Object.keys(object);
  if (Object.keys(object).length === 1 && key === "Ref") return lookup(String(object.Ref));
  if (Object.keys(object).length === 1 && key === "Fn::GetAtt")
    return lookup((object[key] as string[]).join("."));
  if (Object.keys(object).length === 1 && key === "Fn::Sub") {
    if (typeof object[key] !== "string") throw new Error(`${where}: Fn::Sub with variables is not supported`);
    return (object[key] as string).replace(/\$\{([^}]+)\}/g, (_, name: string) => lookup(name));
  }
  if (Object.keys(object).length === 1 && key === "Fn::Join") {
    const [separator, parts] = object[key] as [string, unknown[]];
    return parts.map((p) => String(resolve(p, refs, where))).join(separator);
  }
  if (key?.startsWith("Fn::")) throw new Error(`${where}: ${key} is not supported`);
  return Object.fromEntries(Object.entries(object).map(([k, v]) => [k, resolve(v, refs, where)]));
}

/** Property values as CloudFormation hands them to a custom resource: every boolean and number a string. */
export function asSentToCustomResource(value: unknown): unknown {
  if (typeof value === "boolean" || typeof value === "number") return String(value);
  if (Array.isArray(value)) return value.map(asSentToCustomResource);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asSentToCustomResource(v)]));
}

/**
 * The request CloudFormation sends the resource's function: ResourceProperties (with the
 * ServiceToken) as CloudFormation passes them, scalars as strings.
 */
export function customResourceRequest(
  resource: CustomResource,
  requestType: CustomResourceRequest["RequestType"],
  properties: Record<string, unknown>,
  responseUrl: (requestId: string) => string,
  physicalResourceId?: string,
): CustomResourceRequest {
  const requestId = randomUUID();
  const serviceToken = String(properties.ServiceToken);
  return {
    RequestType: requestType,
    ServiceToken: serviceToken,
    ResponseURL: responseUrl(requestId),
    StackId: `arn:aws:cloudformation:us-east-1:123456789012:stack/StepmaticaStaging/${randomUUID()}`,
    RequestId: requestId,
    LogicalResourceId: resource.logicalId,
    ResourceType: resource.type,
    ResourceProperties: asSentToCustomResource(properties) as Record<string, unknown>,
    ...(physicalResourceId === undefined ? {} : { PhysicalResourceId: physicalResourceId }),
  };
}

interface FileAsset {
  source: { path: string; packaging?: "zip" | "file" };
  destinations: Record<string, { bucketName: string; objectKey: string }>;
}

/** The cdk.out path of the stack's file asset published under `objectKey`, and its packaging. */
export async function fileAsset(outdir: string, stackName: string, objectKey: string) {
  const manifest = JSON.parse(await readFile(path.join(outdir, `${stackName}.assets.json`), "utf8")) as {
    files: Record<string, FileAsset>;
  };
  const asset = Object.values(manifest.files).find((f) =>
    Object.values(f.destinations).some((d) => d.objectKey === objectKey),
  );
  if (!asset) throw new Error(`${stackName}.assets.json: no file asset with object key ${objectKey}`);
  return { path: path.resolve(outdir, asset.source.path), packaging: asset.source.packaging ?? "file" };
}

/** Publishes the stack's file assets under the given object keys into `bucket`, as cdk-assets would. */
export async function publishFileAssets(
  s3: S3Client,
  outdir: string,
  stackName: string,
  bucket: string,
  keys: string[],
): Promise<void> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), "stepmatica-publish-"));
  try {
    for (const key of keys) {
      const asset = await fileAsset(outdir, stackName, key);
      const file = asset.packaging === "zip" ? await zipFolder(asset.path, scratch) : asset.path;
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: await readFile(file) }));
    }
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** A folder's contents zipped at the archive's root. */
async function zipFolder(folder: string, scratch: string): Promise<string> {
  const zip = path.join(scratch, `${randomUUID()}.zip`);
  const child = spawn(await sevenZipPath(), ["a", "-tzip", "-bd", zip, ...(await readdir(folder))], {
    cwd: folder,
    stdio: ["ignore", "ignore", "pipe"],
  });
  let stderr = "";
  child.stderr!.on("data", (chunk) => {
    stderr += chunk;
  });
  const [code] = (await once(child, "exit")) as [number];
  if (code !== 0) throw new Error(`zipping ${folder} failed (${code}): ${stderr}`);
  return zip;
}
