/**
 * Deploy-time custom resource (aws-cdk-lib Provider framework, onEvent): applies the store's
 * migrations over the RDS Data API on Create and Update — the same MIGRATIONS list the local store
 * runs — and does nothing on Delete (the data outlives the migration resource).
 */
import { RdsDataSql } from "../adapters/aws/rds-data-sql.ts";
import { migrate } from "../core/store/migrations.ts";

interface MigrateEvent {
  RequestType: "Create" | "Update" | "Delete";
  PhysicalResourceId?: string;
  ResourceProperties?: Record<string, unknown>;
}

interface MigrateResponse {
  PhysicalResourceId: string;
  Data?: Record<string, string>;
}

export const MIGRATE_RESUME_WAIT_MS = 5 * 60_000;

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`migrate: environment variable ${name} is not set`);
  return value;
}

export async function handler(event: MigrateEvent): Promise<MigrateResponse> {
  const database = required("DB_NAME");
  const physicalResourceId = event.PhysicalResourceId ?? `stepmatica-migrations-${database}`;
  if (event.RequestType === "Delete") return { PhysicalResourceId: physicalResourceId };
  const sql = new RdsDataSql({
    resourceArn: required("DB_CLUSTER_ARN"),
    secretArn: required("DB_SECRET_ARN"),
    database,
    // A new or paused cluster may take minutes to answer; the provider's function has ten.
    resumeWaitMs: MIGRATE_RESUME_WAIT_MS,
  });
  try {
    const applied = await migrate(sql);
    console.log(JSON.stringify({ message: "migrations applied", applied, requestType: event.RequestType }));
    return { PhysicalResourceId: physicalResourceId, Data: { Applied: applied.join(",") } };
  } finally {
    await sql.close();
  }
}
