import { Duration } from "aws-cdk-lib";
import { Bucket, type BucketProps, ObjectLockRetention } from "aws-cdk-lib/aws-s3";
import type { Construct } from "constructs";
import type { StageConfig } from "../../config/index.ts";

type Mutable<T> = { -readonly [K in keyof T]?: T[K] };

/**
 * The AIP bucket's durability settings (durability.* of the stage): Object Lock with a default
 * retention in governance or compliance mode, and replication of every object version to another
 * bucket (another region or account; it must be versioned, and accept this account's replication role).
 * Object Lock can only be chosen when a bucket is created.
 */
export function aipDurability(scope: Construct, config: StageConfig): Partial<BucketProps> {
  const { aipObjectLock: lock, aipReplicationBucketArn: target } = config.durability;
  const props: Mutable<BucketProps> = {};
  if (lock.mode !== "off") {
    const days = Duration.days(lock.retentionDays);
    props.objectLockEnabled = true;
    props.objectLockDefaultRetention =
      lock.mode === "compliance"
        ? ObjectLockRetention.compliance(days)
        : ObjectLockRetention.governance(days);
  }
  if (target) {
    props.replicationRules = [
      {
        destination: Bucket.fromBucketArn(scope, "AipReplicaTarget", target),
        priority: 1,
        deleteMarkerReplication: false,
      },
    ];
  }
  return props;
}
