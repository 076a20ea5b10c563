import { S3Client } from "@aws-sdk/client-s3";
import { RdsDataSql } from "../adapters/aws/rds-data-sql.ts";
import { SfnEngine } from "../adapters/aws/sfn-engine.ts";
import { TaskStore } from "../core/store/task-store.ts";
import { s3AipDownload, s3TransferUploads } from "../dashboard/aws/s3-links.ts";
import {
  type HttpApiEvent,
  type HttpApiResult,
  type RoleMapping,
  toApiRequest,
  toHttpApiResult,
} from "../dashboard/lambda-event.ts";
import { createApiHandler } from "../dashboard/router.ts";
import type { SqlClient } from "../ports/sql.ts";
import type { WorkflowEngine } from "../ports/workflow-engine.ts";

/**
 * The api function: API Gateway HTTP API (payload 2.0, JWT authorizer on the Cognito user pool)
 * → the dashboard's handleApiRequest. A thin adapter: the routes, checks and answers are the same
 * code `stepmatica serve` runs. Environment: DB_CLUSTER_ARN, DB_SECRET_ARN, DB_NAME, AIP_BUCKET,
 * TRANSFER_BUCKET, TRANSFER_PREFIX (default "transfers/"), OPERATOR_GROUP (default "operators"),
 * READER_GROUP (optional: when set, only its members and operators may read).
 */

export interface ApiFunctionConfig {
  sql: SqlClient;
  /** Resumes a workflow waiting on an answered decision (absent: answers are refused with 503). */
  engine?: WorkflowEngine;
  s3: S3Client;
  aipBucket: string;
  transferBucket: string;
  transferPrefix: string;
  roles: RoleMapping;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`the api function needs the environment variable ${name}`);
  return value;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): ApiFunctionConfig {
  return {
    sql: new RdsDataSql({
      resourceArn: required(env, "DB_CLUSTER_ARN"),
      secretArn: required(env, "DB_SECRET_ARN"),
      database: required(env, "DB_NAME"),
    }),
    s3: new S3Client({}),
    ...(env.STATE_MACHINE_TRANSFER_ARN && env.STATE_MACHINE_INGEST_ARN
      ? {
          engine: new SfnEngine({
            stateMachineArns: {
              transfer: env.STATE_MACHINE_TRANSFER_ARN,
              ingest: env.STATE_MACHINE_INGEST_ARN,
            },
          }),
        }
      : {}),
    aipBucket: required(env, "AIP_BUCKET"),
    transferBucket: required(env, "TRANSFER_BUCKET"),
    transferPrefix: env.TRANSFER_PREFIX ?? "transfers/",
    roles: {
      operatorGroup: env.OPERATOR_GROUP ?? "operators",
      ...(env.READER_GROUP ? { readerGroup: env.READER_GROUP } : {}),
    },
  };
}

export function createApiFunction(config: ApiFunctionConfig) {
  const handle = createApiHandler({
    store: new TaskStore(config.sql),
    ...(config.engine ? { engine: config.engine } : {}),
    aipDownload: s3AipDownload(config.s3, config.aipBucket),
    transfers: s3TransferUploads(config.s3, config.transferBucket, config.transferPrefix),
  });
  return async (event: HttpApiEvent): Promise<HttpApiResult> =>
    toHttpApiResult(await handle(toApiRequest(event, config.roles)));
}

// Built on the first invocation and reused while the execution environment lives.
let apiFunction: ReturnType<typeof createApiFunction> | undefined;

export async function handler(event: HttpApiEvent): Promise<HttpApiResult> {
  apiFunction ??= createApiFunction(configFromEnv());
  return apiFunction(event);
}
