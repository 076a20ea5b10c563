import { type IConnectable, SecurityGroup } from "aws-cdk-lib/aws-ec2";
import {
  type AccessPoint,
  FileSystem,
  LifecyclePolicy,
  OutOfInfrequentAccessPolicy,
  PerformanceMode,
  ThroughputMode,
} from "aws-cdk-lib/aws-efs";
import { Construct } from "constructs";
import { dataRemovalPolicy, isRetained } from "../common.ts";
import type { WorkingStorageProps } from "./interfaces.ts";

/** The POSIX identity every function and worker uses on the shared working storage (the image's `node` user). */
export const WORK_UID = "1000";

/**
 * Shared working storage: one encrypted EFS file system and the access point that the Lambda
 * functions and the ECS worker tasks mount at WORK_ROOT. (The EC2 hosts' EBS scratch volumes are
 * part of the Workers construct.)
 */
export class WorkingStorage extends Construct {
  readonly fileSystem: FileSystem;
  readonly accessPoint: AccessPoint;

  constructor(scope: Construct, id: string, props: WorkingStorageProps) {
    super(scope, id);
    const securityGroup = new SecurityGroup(this, "SecurityGroup", {
      vpc: props.vpc,
      description: "stepmatica working storage (NFS from functions and workers only)",
      allowAllOutbound: false,
    });
    this.fileSystem = new FileSystem(this, "FileSystem", {
      vpc: props.vpc,
      vpcSubnets: props.subnets,
      securityGroup,
      encrypted: true,
      performanceMode: PerformanceMode.GENERAL_PURPOSE,
      throughputMode: ThroughputMode.ELASTIC,
      // Working files are transient; what lingers moves to the cheaper class and back when read.
      lifecyclePolicy: LifecyclePolicy.AFTER_14_DAYS,
      outOfInfrequentAccessPolicy: OutOfInfrequentAccessPolicy.AFTER_1_ACCESS,
      // AWS Backup's default EFS plan, unless the stage's own plan (infra/constructs/backup) covers it.
      enableAutomaticBackups: isRetained(props.config) && props.config.durability.backupRetentionDays === 0,
      allowAnonymousAccess: false,
      removalPolicy: dataRemovalPolicy(props.config),
    });
    this.accessPoint = this.fileSystem.addAccessPoint("WorkAccessPoint", {
      path: "/stepmatica",
      createAcl: { ownerUid: WORK_UID, ownerGid: WORK_UID, permissions: "750" },
      posixUser: { uid: WORK_UID, gid: WORK_UID },
    });
  }

  /** Admits NFS from the given compute. */
  allowFrom(...peers: IConnectable[]): void {
    for (const peer of peers)
      this.fileSystem.connections.allowDefaultPortFrom(peer, "NFS from stepmatica compute");
  }
}
