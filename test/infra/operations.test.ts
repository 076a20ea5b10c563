import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { App } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { getStageConfig, type StageConfig } from "../../infra/config/index.ts";
import { StepmaticaStack } from "../../infra/stacks/stepmatica-stack.ts";
import { cdkJsonContext } from "./synth.ts";
import { arnOf, ref, useTemplates } from "./template-fixture.ts";
import { grantsOf, only, prop, resourcesOf } from "./template-queries.ts";

const { t } = useTemplates();

/** One stage's stack with configuration overrides (no bundling): for settings the stages leave off. */
function templateWith(overrides: Partial<StageConfig>): Template {
  const context = { ...cdkJsonContext(), "aws:cdk:bundling-stacks": [] };
  const app = new App({ outdir: mkdtempSync(path.join(tmpdir(), "stepmatica-ops-")), context });
  const config = getStageConfig("production", overrides);
  return Template.fromStack(new StepmaticaStack(app, "Variant", { config }));
}

describe("fixity audit on AWS", () => {
  it("runs the audit function on an EventBridge schedule, with the stage's AIPs per run", () => {
    for (const stage of ["staging", "production"] as const) {
      const template = t(stage);
      const [fnId, fn] = only(template, "AWS::Lambda::Function", "AuditFunction");
      expect(
        prop<{ Variables: Record<string, string> }>(fn, "Environment").Variables.AUDIT_AIPS_PER_RUN,
      ).toBe(String(getStageConfig(stage).audit.aipsPerRun));
      template.hasResourceProperties("AWS::Events::Rule", {
        ScheduleExpression: "rate(1 day)",
        Targets: [Match.objectLike({ Arn: arnOf(fnId) })],
      });
    }
  });

  it("reads the AIP bucket and the catalogue, and may not write or delete an AIP", () => {
    const template = t("production");
    const [aipBucket] = only(template, "AWS::S3::Bucket", "StorageAipBucket");
    const role = "AuditFunctionServiceRole";
    expect(grantsOf(template, role, "s3:GetObject").length).toBeGreaterThan(0);
    expect(JSON.stringify(grantsOf(template, role, "s3:GetObject"))).toContain(aipBucket);
    expect(grantsOf(template, role, "rds-data:ExecuteStatement").length).toBe(1);
    for (const action of ["s3:PutObject", "s3:DeleteObject", "s3:DeleteObjectVersion"])
      expect(grantsOf(template, role, action), action).toEqual([]);
  });

  it("hands an AIP with more than audit.lambdaRehashMaxGiB to re-read to the heavy queue, the only queue it may send to", () => {
    const template = t("production");
    const [, fn] = only(template, "AWS::Lambda::Function", "AuditFunction");
    const variables = prop<{ Variables: Record<string, string> }>(fn, "Environment").Variables;
    expect(variables.AUDIT_MAX_REHASH_BYTES).toBe(
      String(getStageConfig("production").audit.lambdaRehashMaxGiB * 1024 ** 3),
    );
    const [heavy] = only(template, "AWS::SQS::Queue", "QueuesHeavyQueue");
    const sends = grantsOf(template, "AuditFunctionServiceRole", "sqs:SendMessage");
    expect(sends).toHaveLength(1);
    expect(JSON.stringify(sends[0]!.Resource)).toContain(heavy);
    expect(JSON.stringify(sends)).not.toMatch(/Light|DeadLetter/);
  });

  it("alarms the alarm topic when an audit finds an AIP that does not match", () => {
    const template = t("production");
    const [topic] = only(template, "AWS::SNS::Topic", "ObservabilityAlarmTopic");
    template.hasResourceProperties("AWS::CloudWatch::Alarm", {
      MetricName: "AipFixityFailures",
      Namespace: "stepmatica",
      Dimensions: Match.arrayWith([{ Name: "service", Value: "stepmatica-audit" }]),
      Threshold: 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
      AlarmActions: [ref(topic)],
    });
  });
});

describe("durability", () => {
  it("production backs up Aurora and EFS with AWS Backup; staging has no plan", () => {
    const template = t("production");
    template.hasResourceProperties("AWS::Backup::BackupPlan", {
      BackupPlan: Match.objectLike({
        BackupPlanRule: [Match.objectLike({ Lifecycle: { DeleteAfterDays: 35 } })],
      }),
    });
    const [clusterId] = only(template, "AWS::RDS::DBCluster", "DatabaseCluster");
    const [fsId] = only(template, "AWS::EFS::FileSystem", "WorkingStorageFileSystem");
    const [, selection] = only(template, "AWS::Backup::BackupSelection", "Backup");
    const resources = JSON.stringify(prop<{ Resources: unknown }>(selection, "BackupSelection").Resources);
    expect(resources).toContain(clusterId);
    expect(resources).toContain(fsId);
    expect(resourcesOf(t("staging"), "AWS::Backup::BackupPlan")).toEqual({});
  });

  it("locks production's AIPs (governance, 10 years); staging's bucket has no lock", () => {
    const [, prodBucket] = only(t("production"), "AWS::S3::Bucket", "StorageAipBucket");
    expect(prop(prodBucket, "ObjectLockEnabled")).toBe(true);
    expect(prop(prodBucket, "ObjectLockConfiguration")).toEqual({
      ObjectLockEnabled: "Enabled",
      Rule: { DefaultRetention: { Mode: "GOVERNANCE", Days: 3650 } },
    });
    const [, stagingBucket] = only(t("staging"), "AWS::S3::Bucket", "StorageAipBucket");
    expect(stagingBucket.Properties?.ObjectLockConfiguration).toBeUndefined();
  });

  it("compliance mode and a replication target are stage settings", () => {
    const template = templateWith({
      durability: {
        backupRetentionDays: 35,
        aipObjectLock: { mode: "compliance", retentionDays: 30 },
        aipReplicationBucketArn: "arn:aws:s3:::archive-replica-eu",
      },
    });
    const [, bucket] = only(template, "AWS::S3::Bucket", "StorageAipBucket");
    expect(prop(bucket, "ObjectLockConfiguration")).toMatchObject({
      Rule: { DefaultRetention: { Mode: "COMPLIANCE", Days: 30 } },
    });
    const replication = prop<{ Rules: Array<{ Destination: { Bucket: string }; Status: string }> }>(
      bucket,
      "ReplicationConfiguration",
    );
    expect(replication.Rules[0]).toMatchObject({
      Destination: { Bucket: "arn:aws:s3:::archive-replica-eu" },
      Status: "Enabled",
    });
  });
});
