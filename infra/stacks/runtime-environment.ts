import type { StageConfig } from "../config/index.ts";
import { WORK_MOUNT_PATH } from "../constructs/common.ts";

export interface RuntimeResources {
  transferStateMachineArn: string;
  ingestStateMachineArn: string;
  lightQueueUrl: string;
  heavyQueueUrl: string;
  dbClusterArn: string;
  dbSecretArn: string;
  dbName: string;
  redisUrl: string;
  redisCluster: boolean;
  transferBucket: string;
  aipBucket: string;
  dipBucket: string;
}

/** The variables every function and the worker read (names fixed by the handlers; keep them). */
export function runtimeEnvironment(config: StageConfig, r: RuntimeResources): Record<string, string> {
  return {
    STEPMATICA_STAGE: config.stage,
    STATE_MACHINE_TRANSFER_ARN: r.transferStateMachineArn,
    STATE_MACHINE_INGEST_ARN: r.ingestStateMachineArn,
    LIGHT_QUEUE_URL: r.lightQueueUrl,
    HEAVY_QUEUE_URL: r.heavyQueueUrl,
    DB_CLUSTER_ARN: r.dbClusterArn,
    DB_SECRET_ARN: r.dbSecretArn,
    DB_NAME: r.dbName,
    REDIS_URL: r.redisUrl,
    REDIS_CLUSTER: String(r.redisCluster),
    TRANSFER_BUCKET: r.transferBucket,
    AIP_BUCKET: r.aipBucket,
    DIP_BUCKET: r.dipBucket,
    WORK_ROOT: WORK_MOUNT_PATH,
    TRANSFER_PREFIX: config.pipeline.transferPrefix,
    MAX_TRANSFER_BYTES: String(config.pipeline.maxTransferBytes),
    DEFAULT_CONFIG: config.pipeline.defaultConfig,
  };
}
