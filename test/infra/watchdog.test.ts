import { describe, expect, it } from "vitest";
import { getStageConfig, STAGE_NAMES } from "../../infra/config/index.ts";
import { arnOf, ref, useTemplates } from "./template-fixture.ts";
import {
  actionsOf,
  grantsOf,
  only,
  prop,
  resourcesOfStatement,
  statementsOfRole,
} from "./template-queries.ts";

const { t } = useTemplates();
const ROLE = "FunctionsWatchdogFunctionServiceRole";

describe.each(STAGE_NAMES)("%s template: the scheduled watchdog", (stage) => {
  it("an EventBridge schedule runs it every 5 minutes, without piling up retries", () => {
    const [fnId] = only(t(stage), "AWS::Lambda::Function", "FunctionsWatchdogFunction");
    const [ruleId, rule] = only(t(stage), "AWS::Events::Rule", "FunctionsWatchdogSchedule");
    expect(rule.Properties).toMatchObject({
      ScheduleExpression: "rate(5 minutes)",
      State: "ENABLED",
      Targets: [
        expect.objectContaining({
          Arn: arnOf(fnId),
          RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 300 },
        }),
      ],
    });
    t(stage).hasResourceProperties("AWS::Lambda::Permission", {
      FunctionName: arnOf(fnId),
      Principal: "events.amazonaws.com",
      SourceArn: arnOf(ruleId),
    });
    t(stage).hasResourceProperties("AWS::Lambda::EventInvokeConfig", {
      FunctionName: ref(fnId),
      MaximumRetryAttempts: 0,
    });
    t(stage).hasResourceProperties("AWS::CloudWatch::Alarm", {
      MetricName: "Errors",
      Dimensions: [{ Name: "FunctionName", Value: ref(fnId) }],
    });
  });

  it("the function: the handler entry, in the VPC with the functions' security group (Redis, EFS), the shared environment", () => {
    const [, fn] = only(t(stage), "AWS::Lambda::Function", "FunctionsWatchdogFunction");
    const [, runTasks] = only(t(stage), "AWS::Lambda::Function", "FunctionsRunTasksFunction");
    expect(prop(fn, "VpcConfig")).toEqual(prop(runTasks, "VpcConfig"));
    const vars = prop<{ Variables: Record<string, unknown> }>(fn, "Environment").Variables;
    const shared = prop<{ Variables: Record<string, unknown> }>(runTasks, "Environment").Variables;
    expect(vars.POWERTOOLS_SERVICE_NAME).toBe("stepmatica-watchdog");
    for (const key of [
      "DB_CLUSTER_ARN",
      "DB_SECRET_ARN",
      "REDIS_URL",
      "REDIS_CLUSTER",
      "STATE_MACHINE_TRANSFER_ARN",
    ])
      expect(vars[key], key).toEqual(shared[key]);
    expect(prop(fn, "Timeout")).toBeLessThan(300);
  });

  it("grants: the Data API on the cluster, its secret, task responses on both state machines; nothing else", () => {
    const [clusterId] = only(t(stage), "AWS::RDS::DBCluster", "DatabaseCluster");
    const [secretAttachmentId] = only(
      t(stage),
      "AWS::SecretsManager::SecretTargetAttachment",
      "DatabaseCluster",
    );
    const dataApi = grantsOf(t(stage), ROLE, "rds-data:ExecuteStatement");
    expect(dataApi).toHaveLength(1);
    expect(JSON.stringify(dataApi[0]!.Resource)).toContain(`{"Ref":"${clusterId}"}`);
    const secret = grantsOf(t(stage), ROLE, "secretsmanager:GetSecretValue");
    expect(secret.map(resourcesOfStatement)).toEqual([[ref(secretAttachmentId)]]);
    for (const action of ["states:SendTaskSuccess", "states:SendTaskFailure"]) {
      const responses = grantsOf(t(stage), ROLE, action);
      expect(responses, action).toHaveLength(1);
      const resources = JSON.stringify(responses[0]!.Resource);
      expect(resources).toContain(`stateMachine:stepmatica-${stage}-transfer"`);
      expect(resources).toContain(`stateMachine:stepmatica-${stage}-ingest"`);
    }
    const services = new Set(
      statementsOfRole(t(stage), ROLE)
        .flatMap(actionsOf)
        .map((a) => a.split(":")[0]),
    );
    // X-Ray only where the stage traces (operations.tracing).
    const xray = getStageConfig(stage).operations.tracing ? ["xray"] : [];
    expect([...services].sort()).toEqual([
      "elasticfilesystem",
      "rds-data",
      "secretsmanager",
      "states",
      ...xray,
    ]);
  });
});
