import { S3Client } from "@aws-sdk/client-s3";
import { RdsDataSql } from "../adapters/aws/rds-data-sql.ts";
import { TaskStore } from "../core/store/task-store.ts";
import { s3AipDownload, s3TransferUploads } from "../dashboard/aws/s3-links.ts";
import {
  type HttpApiEvent,
  type HttpApiResult,
  type RoleMapping,
  toApiRequest,
  toHttpApiResult,
} from "../dashboard/lambda-event.ts";
import { type ApiHandler, createApiHandler } from "../dashboard/router.ts";

/**
 * The api function: API Gateway HTTP API (payload 2.0, JWT authorizer on the Cognito user pool)
 * → the dashboard's handleApiRequest. A thin adapter: the routes, checks and answers are the same
 * code `stepmatica serve` runs. Environment: DB_CLUSTER_ARN, DB_SECRET_ARN, DB_NAME, AIP_BUCKET,
 * TRANSFER_BUCKET, TRANSFER_PREFIX (default "transfers/"), OPERATOR_GROUP (default "operators"),
 * READER_GROUP (optional: when set, only its members and operators may read).
 */

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`the api function needs the environment variable ${name}`);
  return value;
}

// Built on the first invocation and reused while the execution environment lives.
let api: ApiHandler | undefined;
let roles: RoleMapping | undefined;

function init(): { handle: ApiHandler; roles: RoleMapping } {
  if (!api || !roles) {
    const sql = new RdsDataSql({
      resourceArn: required("DB_CLUSTER_ARN"),
      secretArn: required("DB_SECRET_ARN"),
      database: required("DB_NAME"),
    });
    const s3 = new S3Client({});
    api = createApiHandler({
      store: new TaskStore(sql),
      aipDownload: s3AipDownload(s3, required("AIP_BUCKET")),
      transfers: s3TransferUploads(s3, required("TRANSFER_BUCKET"), process.env.TRANSFER_PREFIX ?? "transfers/"),
    });
    roles = {
      operatorGroup: process.env.OPERATOR_GROUP ?? "operators",
      ...(process.env.READER_GROUP ? { readerGroup: process.env.READER_GROUP } : {}),
    };
  }
  return { handle: api, roles };
}

export async function handler(event: HttpApiEvent): Promise<HttpApiResult> {
  const { handle, roles: mapping } = init();
  return toHttpApiResult(await handle(toApiRequest(event, mapping)));
}
