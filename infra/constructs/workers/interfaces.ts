import type { ISecurityGroup, IVpc, SubnetSelection } from "aws-cdk-lib/aws-ec2";
import type { AccessPoint, FileSystem } from "aws-cdk-lib/aws-efs";
import type { StageConfig } from "../../config/index.ts";
import { WORK_MOUNT_PATH } from "../common.ts";
import type { Database } from "../database/index.ts";
import type { StateMachineArns } from "../functions/interfaces.ts";
import type { Queues } from "../queues/index.ts";
import type { Storage } from "../storage/index.ts";

export interface WorkersProps {
  readonly config: StageConfig;
  readonly vpc: IVpc;
  readonly subnets: SubnetSelection;
  readonly securityGroup: ISecurityGroup;
  readonly hostsSecurityGroup: ISecurityGroup;
  readonly fileSystem: FileSystem;
  readonly accessPoint: AccessPoint;
  readonly storage: Storage;
  readonly database: Database;
  readonly queues: Queues;
  readonly stateMachines: StateMachineArns;
  readonly environment: Record<string, string>;
}

/** Where each EC2 host mounts its EBS scratch volume, and where the worker container sees it. */
export const SCRATCH_PATH = "/scratch";

/** The shared ClamAV databases on the working storage (EFS), refreshed by the workers' freshclam. */
export const SIGNATURES_PATH = `${WORK_MOUNT_PATH}/clamav-signatures`;
/** How often one worker runs freshclam into SIGNATURES_PATH (ClamAV asks for at most hourly checks). */
export const SIGNATURE_REFRESH_HOURS = 4;
/**
 * ECS task scale-in protection is asked for this long and renewed at a third of it while a task
 * runs, so a 12-hour heavy task keeps it and a dead worker's protection still lapses soon.
 */
export const TASK_PROTECTION_MINUTES = 60;

/**
 * The worker image's build context is the repository root reduced to what the Dockerfile copies,
 * as an allow-list (dockerignore syntax): never node_modules, cdk.out, tests, AIPs or local homes.
 */
export const WORKER_IMAGE_EXCLUDES = [
  "*",
  "!package.json",
  "!package-lock.json",
  "!functions",
  "!workflows",
  "**/node_modules",
  "**/cdk.out",
  "**/*.test.ts",
];
