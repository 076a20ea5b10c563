import { randomUUID } from "node:crypto";
import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RdsDataSql } from "../../../functions/adapters/aws/rds-data-sql.ts";
import { TaskStore } from "../../../functions/core/store/task-store.ts";
import {
  groupsOf,
  type HttpApiEvent,
  identityFromClaims,
} from "../../../functions/dashboard/lambda-event.ts";
import { configFromEnv, createApiFunction } from "../../../functions/handlers/api.ts";
import { type DataApiServer, startDataApiServer } from "../../helpers/local-aws/data-api-server.ts";
import { type LocalS3, startLocalS3 } from "../../helpers/local-aws/s3-server.ts";
import { DATABASE_URL } from "../../helpers/services.ts";
import { type Seeded, seedStore } from "./seed.ts";

// The api function end to end: HTTP API v2 events with JWT-authorizer claims, the RDS Data API
// protocol (a local server on a real PostgreSQL) and S3 (s3rver), through the real SDK clients.
const schema = `api_${randomUUID().replace(/-/g, "").slice(0, 12)}`;
const AIP_BYTES = Buffer.from("an AIP, 7z-compressed");
let dataApi: DataApiServer;
let s3server: LocalS3;
let s3: S3Client;
let sql: RdsDataSql;
let seeded: Seeded;
let api: ReturnType<typeof createApiFunction>;

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect().catch((error: unknown) => {
    throw new Error(`PostgreSQL at ${DATABASE_URL} is not reachable (set DATABASE_URL): ${String(error)}`);
  });
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  await admin(`create schema ${schema}`);
  dataApi = await startDataApiServer({ connectionString: DATABASE_URL, schema });
  s3server = await startLocalS3(["aips", "transfers"]);
  s3 = new S3Client(s3server.clientConfig);
  await s3.send(new PutObjectCommand({ Bucket: "aips", Key: "alpha-records.7z", Body: AIP_BYTES }));
  sql = new RdsDataSql({
    resourceArn: "arn:aws:rds:eu-west-1:123456789012:cluster:stepmatica",
    secretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:db",
    database: "stepmatica",
    clientConfig: {
      region: "eu-west-1",
      endpoint: dataApi.endpoint,
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    },
  });
  const store = new TaskStore(sql);
  await store.migrate();
  seeded = await seedStore(store, "s3://aips/alpha-records.7z");
  api = createApiFunction({
    sql,
    s3,
    aipBucket: "aips",
    transferBucket: "transfers",
    transferPrefix: "transfers/",
    roles: { operatorGroup: "operators" },
  });
}, 120_000);

afterAll(async () => {
  await sql?.close();
  await dataApi?.close();
  await s3server?.close();
  await admin(`drop schema if exists ${schema} cascade`);
});

function event(
  method: string,
  rawPath: string,
  options: { claims?: Record<string, unknown>; body?: unknown; query?: string; stage?: string } = {},
): HttpApiEvent {
  return {
    rawPath,
    rawQueryString: options.query ?? "",
    headers: { "content-type": "application/json" },
    ...(options.body === undefined
      ? {}
      : { body: Buffer.from(JSON.stringify(options.body)).toString("base64"), isBase64Encoded: true }),
    requestContext: {
      http: { method },
      stage: options.stage ?? "$default",
      ...(options.claims ? { authorizer: { jwt: { claims: options.claims } } } : {}),
    },
  };
}

const reader = { sub: "u-1", "cognito:username": "rita", "cognito:groups": "[readers]" };
const operator = { sub: "u-2", "cognito:username": "olivia", "cognito:groups": "[readers operators]" };

describe("the api function (HTTP API v2 → handleApiRequest)", () => {
  it("answers 401 when no JWT authorizer identity came with the event", async () => {
    const res = await api(event("GET", "/api/units"));
    expect(res.statusCode).toBe(401);
  });

  it("lists units for a signed-in reader, through the RDS Data API", async () => {
    const res = await api(event("GET", "/api/units", { claims: reader, query: "status=rejected" }));
    expect(res.statusCode).toBe(200);
    const body = JSON.parse(res.body);
    expect(body.units.map((u: { id: string }) => u.id)).toEqual([seeded.failed]);
    const me = JSON.parse((await api(event("GET", "/api/me", { claims: reader }))).body);
    expect(me).toEqual({ subject: "rita", roles: ["reader"], transferIntake: "upload" });
  });

  it("strips a named stage from the path", async () => {
    const res = await api(
      event("GET", `/prod/api/units/${seeded.failed}/failed-tasks`, { claims: reader, stage: "prod" }),
    );
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body).tasks[0].stderr).toContain("objects/");
  });

  it("lets members of the operators group act, and no one else", async () => {
    const path = `/api/units/${seeded.failed}/hide`;
    expect((await api(event("POST", path, { claims: reader, body: {} }))).statusCode).toBe(403);
    const ok = await api(event("POST", path, { claims: operator, body: { hidden: false } }));
    expect(ok.statusCode).toBe(200);
    expect(JSON.parse(ok.body)).toEqual({ id: seeded.failed, hidden: false });
  });

  it("downloads the AIP by a presigned S3 URL", async () => {
    const res = await api(event("GET", `/api/units/${seeded.completedSip}/aip`, { claims: reader }));
    const { download } = JSON.parse(res.body);
    expect(download.kind).toBe("url");
    const fetched = await fetch(download.url);
    expect(Buffer.from(await fetched.arrayBuffer())).toEqual(AIP_BYTES);
    const redirect = await api(
      event("GET", `/api/units/${seeded.completedSip}/aip/download`, { claims: reader }),
    );
    expect(redirect.statusCode).toBe(302);
    expect(redirect.headers.location).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/aips\/alpha-records\.7z\?.*X-Amz-Signature=/,
    );
  });

  it("hands an operator a presigned upload into the transfer bucket's prefix", async () => {
    const res = await api(
      event("POST", "/api/transfers/uploads", { claims: operator, body: { filename: "deposit.zip" } }),
    );
    expect(res.statusCode).toBe(200);
    const upload = JSON.parse(res.body);
    expect(upload.key).toBe("transfers/deposit.zip");
    const put = await fetch(upload.url, { method: "PUT", body: "zip bytes" });
    expect(put.status).toBe(200);
    const stored = await s3.send(new GetObjectCommand({ Bucket: "transfers", Key: "transfers/deposit.zip" }));
    expect(await stored.Body!.transformToString()).toBe("zip bytes");
  });
});

describe("claims → identity", () => {
  it("reads cognito:groups however the authorizer passes it", () => {
    expect(groupsOf("[operators readers]")).toEqual(["operators", "readers"]);
    expect(groupsOf("operators,readers")).toEqual(["operators", "readers"]);
    expect(groupsOf(["operators"])).toEqual(["operators"]);
    expect(groupsOf(undefined)).toEqual([]);
  });

  it("requires the reader group when one is configured, and a subject always", () => {
    const roles = { operatorGroup: "operators", readerGroup: "archivists" };
    expect(identityFromClaims({ sub: "x", "cognito:groups": "[guests]" }, roles)?.roles).toEqual([]);
    expect(identityFromClaims({ sub: "x", "cognito:groups": "[archivists]" }, roles)?.roles).toEqual([
      "reader",
    ]);
    expect(identityFromClaims({ sub: "x", "cognito:groups": "[operators]" }, roles)?.roles).toEqual([
      "reader",
      "operator",
    ]);
    expect(identityFromClaims({ email: "a@b" }, roles)).toBeNull();
  });

  it("names the missing environment variable", () => {
    expect(() => configFromEnv({ DB_CLUSTER_ARN: "arn" })).toThrow(/DB_SECRET_ARN/);
  });
});
