import path from "node:path";
import { fileURLToPath } from "node:url";
import { RemovalPolicy, Validations } from "aws-cdk-lib";
import type { IConstruct } from "constructs";
import type { StageConfig } from "../config/index.ts";

/** The repository root: NodejsFunction entries and the worker image's build context live under it. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** Where every function and worker task mounts the EFS access point (Lambda requires /mnt/...). */
export const WORK_MOUNT_PATH = "/mnt/work";

/** Removal policy for data stores: kept (and deletion-protected) in production, destroyed in staging. */
export function dataRemovalPolicy(config: StageConfig): RemovalPolicy {
  return config.removalPolicy === "retain" ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
}

export const isRetained = (config: StageConfig): boolean => config.removalPolicy === "retain";

/**
 * Acknowledges one cdk-nag finding on one construct (and its children), with the reason. Use the
 * finding form `AwsSolutions-IAM5[Resource::...]` to keep the acknowledgement as narrow as the finding.
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}
