import { describe, expect, it } from "vitest";
import { readEnvironment } from "../../../functions/handlers/environment.ts";
import {
  checkTransferEvent,
  packageExtension,
  s3Source,
  transferIdOf,
} from "../../../functions/handlers/transfer-event.ts";

const settings = { transferBucket: "deposits", transferPrefix: "transfers/", maxTransferBytes: 1000 };

function event(object: Record<string, unknown>, bucket = "deposits") {
  return {
    "detail-type": "Object Created",
    source: "aws.s3",
    detail: { bucket: { name: bucket }, object: { size: 10, etag: "abc", ...object }, reason: "PutObject" },
  };
}

describe("checkTransferEvent", () => {
  it("takes the key verbatim (EventBridge does not URL-encode it) and names the transfer after it", () => {
    const check = checkTransferEvent(event({ key: "transfers/Minutes 1901+2%.tar.gz" }), settings);
    expect(check).toMatchObject({
      ok: true,
      name: "Minutes 1901+2%",
      object: { bucket: "deposits", key: "transfers/Minutes 1901+2%.tar.gz", versionId: null },
    });
    if (!check.ok) return;
    // stage-transfer reads the key back with URL + decodeURIComponent: the round trip must be exact.
    const url = new URL(check.source);
    expect(url.host).toBe("deposits");
    expect(decodeURIComponent(url.pathname.slice(1))).toBe("transfers/Minutes 1901+2%.tar.gz");
    expect(s3Source("b", "transfers/a#b?.zip")).toBe("s3://b/transfers/a%23b%3F.zip");
  });

  it("derives the same id from the same object version and a new one from a new upload", () => {
    const a = transferIdOf("deposits", "transfers/a.zip", null, '"etag-1"');
    expect(transferIdOf("deposits", "transfers/a.zip", null, "etag-1")).toBe(a); // quotes from PutObject ignored
    expect(transferIdOf("deposits", "transfers/a.zip", null, "etag-2")).not.toBe(a);
    expect(transferIdOf("deposits", "transfers/b.zip", null, "etag-1")).not.toBe(a);
    const v1 = transferIdOf("deposits", "transfers/a.zip", "v1", "etag-1");
    expect(v1).not.toBe(a);
    expect(transferIdOf("deposits", "transfers/a.zip", "v2", "etag-1")).not.toBe(v1);
    expect(transferIdOf("deposits", "transfers/a.zip", "null", "etag-1")).toBe(a); // versioning suspended
    const check = checkTransferEvent(
      event({ key: "transfers/a.zip", "version-id": "v1", etag: "etag-1" }),
      settings,
    );
    expect(check).toMatchObject({ ok: true, transferId: v1 });
  });

  it("recognizes every package extension, longest first", () => {
    expect(packageExtension("x/a.TAR.GZ")).toBe(".tar.gz");
    expect(packageExtension("a.tgz")).toBe(".tgz");
    expect(packageExtension("a.tar.bz2")).toBe(".tar.bz2");
    expect(packageExtension("a.tar.xz")).toBe(".tar.xz");
    expect(packageExtension("a.7z")).toBe(".7z");
    expect(packageExtension("a.tar")).toBe(".tar");
    expect(packageExtension("a.gz")).toBeNull();
    expect(packageExtension("folder/")).toBeNull();
  });

  it.each([
    [
      "no detail",
      { source: "aws.s3", "detail-type": "Object Created" },
      /not an S3 "Object Created" event: detail/,
    ],
    [
      "a delete event",
      { ...event({ key: "transfers/a.zip" }), "detail-type": "Object Deleted" },
      /detail-type/,
    ],
    ["a negative size", event({ key: "transfers/a.zip", size: -1 }), /detail\.object\.size/],
    ["outside the prefix", event({ key: "other/a.zip" }), /outside the transfer prefix "transfers\/"/],
    ["another bucket", event({ key: "transfers/a.zip" }, "elsewhere"), /not the transfer bucket deposits/],
    ["too large", event({ key: "transfers/a.zip", size: 1001 }), /1001 bytes, over the limit of 1000 bytes/],
    ["a .. segment", event({ key: "transfers/x/../../a.zip" }), /invalid object key/],
    ["an empty segment", event({ key: "transfers//a.zip" }), /invalid object key/],
    ["a control character", event({ key: "transfers/a\u0000.zip" }), /invalid object key/],
    ["a backslash", event({ key: "transfers/a\\b.zip" }), /invalid object key/],
    ["no name", event({ key: "transfers/.zip" }), /no name before \.zip/],
    ["a plain file", event({ key: "transfers/photo.jpg" }), /not a transfer package/],
  ])("refuses %s with a reason", (_what, input, reason) => {
    const check = checkTransferEvent(input, settings);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.reason).toMatch(reason);
  });
});

describe("readEnvironment", () => {
  const complete = {
    STEPMATICA_STAGE: "staging",
    STATE_MACHINE_TRANSFER_ARN: "arn:aws:states:eu-west-1:1:stateMachine:t",
    STATE_MACHINE_INGEST_ARN: "arn:aws:states:eu-west-1:1:stateMachine:i",
    LIGHT_QUEUE_URL: "https://sqs.eu-west-1.amazonaws.com/1/light",
    HEAVY_QUEUE_URL: "https://sqs.eu-west-1.amazonaws.com/1/heavy",
    DB_CLUSTER_ARN: "arn:aws:rds:eu-west-1:1:cluster:db",
    DB_SECRET_ARN: "arn:aws:secretsmanager:eu-west-1:1:secret:db",
    DB_NAME: "stepmatica",
    REDIS_URL: "rediss://cache.example:6379",
    REDIS_CLUSTER: "true",
    TRANSFER_BUCKET: "t",
    AIP_BUCKET: "a",
    DIP_BUCKET: "d",
    WORK_ROOT: "/mnt/work",
    MAX_TRANSFER_BYTES: "10737418240",
    DEFAULT_CONFIG: "default",
    POWERTOOLS_SERVICE_NAME: "stepmatica-run-tasks",
    POWERTOOLS_METRICS_NAMESPACE: "Stepmatica",
  };

  it("parses a complete environment, with TRANSFER_PREFIX defaulting to transfers/", () => {
    expect(readEnvironment(complete)).toMatchObject({
      TRANSFER_PREFIX: "transfers/",
      MAX_TRANSFER_BYTES: 10_737_418_240,
      REDIS_CLUSTER: true,
    });
  });

  it("names every missing or malformed variable", () => {
    const { DB_SECRET_ARN: _secret, AIP_BUCKET: _aip, ...partial } = complete;
    expect(() => readEnvironment({ ...partial, DEFAULT_CONFIG: "fast" })).toThrow(
      /DB_SECRET_ARN is not set.*AIP_BUCKET is not set.*DEFAULT_CONFIG: /,
    );
    expect(() => readEnvironment({ ...complete, WORK_ROOT: "work" })).toThrow(
      /WORK_ROOT: must be an absolute path/,
    );
  });
});
