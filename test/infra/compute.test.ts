import { Match } from "aws-cdk-lib/assertions";
import { describe, expect, it } from "vitest";
import { getStageConfig, STAGE_NAMES } from "../../infra/config/index.ts";
import { arnOf, ref, stepmaticaFunctions, useTemplates } from "./template-fixture.ts";
import {
  actionsOf,
  grantsOf,
  only,
  prop,
  resourcesOf,
  resourcesOfStatement,
  type Statement,
  statementsOfRole,
} from "./template-queries.ts";

const { synth, t } = useTemplates();

describe.each(STAGE_NAMES)("%s template: compute, pipeline and observability", (stage) => {
  it("Functions: an EventBridge rule on the transfer bucket's Object Created targets start-transfer, with a DLQ", () => {
    const [transferId] = only(t(stage), "AWS::S3::Bucket", "StorageTransferBucket");
    const [startId] = only(t(stage), "AWS::Lambda::Function", "FunctionsStartTransferFunction");
    const [dlqId] = only(t(stage), "AWS::SQS::Queue", "QueuesTransferEventsDeadLetterQueue");
    t(stage).hasResourceProperties("AWS::Events::Rule", {
      EventPattern: {
        source: ["aws.s3"],
        "detail-type": ["Object Created"],
        detail: { bucket: { name: [ref(transferId)] }, object: { key: [{ prefix: "transfers/" }] } },
      },
      Targets: [Match.objectLike({ Arn: arnOf(startId), DeadLetterConfig: { Arn: arnOf(dlqId) } })],
    });
  });

  it("Functions: Node.js 24 on ARM64, traced, in the VPC, the documented environment; run-tasks reports partial batch failures", () => {
    const required = [
      "STEPMATICA_STAGE",
      "STATE_MACHINE_TRANSFER_ARN",
      "STATE_MACHINE_INGEST_ARN",
      "LIGHT_QUEUE_URL",
      "HEAVY_QUEUE_URL",
      "DB_CLUSTER_ARN",
      "DB_SECRET_ARN",
      "DB_NAME",
      "REDIS_URL",
      "REDIS_CLUSTER",
      "TRANSFER_BUCKET",
      "AIP_BUCKET",
      "DIP_BUCKET",
      "WORK_ROOT",
      "TRANSFER_PREFIX",
      "MAX_TRANSFER_BYTES",
      "DEFAULT_CONFIG",
      "POWERTOOLS_SERVICE_NAME",
      "POWERTOOLS_METRICS_NAMESPACE",
    ];
    for (const [id, fn] of stepmaticaFunctions(t(stage))) {
      expect(fn.Properties, id).toMatchObject({
        Runtime: "nodejs24.x",
        Architectures: ["arm64"],
        VpcConfig: { SubnetIds: expect.any(Array), SecurityGroupIds: expect.any(Array) },
      });
      // X-Ray is a stage setting (operations.tracing): on in production, off (no TracingConfig) in staging.
      expect(fn.Properties?.TracingConfig, id).toEqual(
        getStageConfig(stage).operations.tracing ? { Mode: "Active" } : undefined,
      );
      const vars = prop<{ Variables: Record<string, unknown> }>(fn, "Environment").Variables;
      expect(Object.keys(vars), id).toEqual(expect.arrayContaining(required));
      expect(vars.STEPMATICA_STAGE).toBe(stage);
    }
    const [lightId] = only(t(stage), "AWS::SQS::Queue", "QueuesLightQueue");
    const [runTasksId] = only(t(stage), "AWS::Lambda::Function", "FunctionsRunTasksFunction");
    t(stage).hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      EventSourceArn: arnOf(lightId),
      FunctionName: ref(runTasksId),
      FunctionResponseTypes: ["ReportBatchItemFailures"],
    });
  });

  it("Api: every dashboard route passes Cognito's JWT authorizer; access logged; MFA required", () => {
    const [apiFnId] = only(t(stage), "AWS::Lambda::Function", "FunctionsApiFunction");
    const [poolId, pool] = only(t(stage), "AWS::Cognito::UserPool", "ApiUsers");
    expect(pool.Properties?.MfaConfiguration).toBe("ON");
    expect(pool.Properties?.AdminCreateUserConfig).toMatchObject({ AllowAdminCreateUserOnly: true });
    // No identity provider configured: local accounts only, and everyone signed in reads.
    expect(pool.Properties?.LambdaConfig).toBeUndefined();
    expect(resourcesOf(t(stage), "AWS::Cognito::UserPoolIdentityProvider")).toEqual({});
    const apiVariables = prop<{ Variables: Record<string, string> }>(
      only(t(stage), "AWS::Lambda::Function", "FunctionsApiFunction")[1],
      "Environment",
    ).Variables;
    expect(apiVariables).toMatchObject({ OPERATOR_GROUP: "operators" });
    expect(apiVariables).not.toHaveProperty("READER_GROUP");
    const [authorizerId, authorizer] = only(t(stage), "AWS::ApiGatewayV2::Authorizer", "ApiHttpApiCognito");
    expect(authorizer.Properties?.AuthorizerType).toBe("JWT");
    expect(JSON.stringify(authorizer.Properties?.JwtConfiguration)).toContain(`{"Ref":"${poolId}"}`);
    const routes = Object.values(resourcesOf(t(stage), "AWS::ApiGatewayV2::Route"));
    expect(routes.length).toBeGreaterThan(0);
    for (const route of routes) {
      expect(route.Properties).toMatchObject({ AuthorizationType: "JWT", AuthorizerId: ref(authorizerId) });
    }
    const integrations = Object.values(resourcesOf(t(stage), "AWS::ApiGatewayV2::Integration"));
    expect(integrations.map((i) => i.Properties?.IntegrationUri)).toEqual([arnOf(apiFnId)]);
    t(stage).hasResourceProperties("AWS::ApiGatewayV2::Stage", {
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
    // Presigned uploads: put under the transfer prefix only.
    const puts = grantsOf(t(stage), "FunctionsApiFunctionServiceRole", "s3:PutObject");
    expect(JSON.stringify(puts.map(resourcesOfStatement))).toContain('/transfers/*"');
  });

  it("Workers: an ECS service on EC2 capacity (ASG capacity provider), scaled on heavy-queue depth", () => {
    const [cpId, cp] = only(t(stage), "AWS::ECS::CapacityProvider", "WorkersCapacityProvider");
    const [, service] = only(t(stage), "AWS::ECS::Service", "WorkersService");
    expect(service.Properties?.CapacityProviderStrategy).toEqual([
      { CapacityProvider: ref(cpId), Weight: 1 },
    ]);
    expect(service.Properties?.LaunchType).toBeUndefined();
    expect(cp.Properties?.AutoScalingGroupProvider).toMatchObject({
      ManagedTerminationProtection: stage === "production" ? "ENABLED" : "DISABLED",
      ManagedDraining: "ENABLED",
    });
    t(stage).hasResourceProperties("AWS::ECS::TaskDefinition", {
      RequiresCompatibilities: ["EC2"],
      NetworkMode: "awsvpc",
    });
    // The worker: official signatures required and kept current on EFS, temporary files on the
    // EBS scratch volume, protection renewed; no setting that nothing reads.
    const [, taskDefinition] = only(t(stage), "AWS::ECS::TaskDefinition", "WorkersTaskDefinition");
    const [container] = prop<Array<{ Environment: Array<{ Name: string; Value: unknown }> }>>(
      taskDefinition,
      "ContainerDefinitions",
    );
    const env = Object.fromEntries(container!.Environment.map((e) => [e.Name, e.Value]));
    expect(env).toMatchObject({
      STEPMATICA_REQUIRE_OFFICIAL_SIGNATURES: "true",
      STEPMATICA_CLAMAV_DB_DIR: "/mnt/work/clamav-signatures",
      SIGNATURE_REFRESH_HOURS: "4",
      SCRATCH_ROOT: "/scratch",
      TASK_PROTECTION_MINUTES: "60",
    });
    expect(env.HEAVY_TASK_TIMEOUT_SECONDS).toBeUndefined();
    t(stage).hasResourceProperties("AWS::EC2::LaunchTemplate", {
      LaunchTemplateData: Match.objectLike({
        InstanceType: synth().stacks[stage].config.workers.instanceType,
      }),
    });
    const [heavyId] = only(t(stage), "AWS::SQS::Queue", "QueuesHeavyQueue");
    t(stage).hasResourceProperties("AWS::CloudWatch::Alarm", {
      MetricName: "ApproximateNumberOfMessagesVisible",
      Dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": [heavyId, "QueueName"] } }],
      AlarmActions: [
        Match.objectLike({ Ref: Match.stringLikeRegexp("^WorkersServiceTaskCountTargetHeavyQueueDepth") }),
      ],
    });
    // Task scale-in protection: the worker may protect its own tasks in this cluster only.
    const protect = grantsOf(t(stage), "WorkersTaskDefinitionTaskRole", "ecs:UpdateTaskProtection");
    expect(JSON.stringify(protect.map(resourcesOfStatement))).toMatch(/task\/.*WorkersCluster/);
  });

  it("Pipeline: the compiler's state machines, logged and traced, job states with timeouts and heartbeats", () => {
    const [dispatchId] = only(t(stage), "AWS::Lambda::Function", "FunctionsDispatchJobFunction");
    for (const name of ["Transfer", "Ingest"]) {
      const [, machine] = only(t(stage), "AWS::StepFunctions::StateMachine", `Pipeline${name}`);
      expect(machine.Properties).toMatchObject({
        StateMachineName: `stepmatica-${stage}-${name.toLowerCase()}`,
        TracingConfiguration: { Enabled: getStageConfig(stage).operations.tracing },
        // Every state change, without the payloads (operations.stateMachineLogExecutionData).
        LoggingConfiguration: { Level: "ALL", IncludeExecutionData: false },
        DefinitionSubstitutions: expect.objectContaining({ DispatchJobFunctionArn: arnOf(dispatchId) }),
      });
      const definition = JSON.parse(machine.Properties?.DefinitionString as string) as {
        States: Record<string, Record<string, unknown>>;
      };
      const jobs = Object.values(definition.States).filter(
        (s) => s.Resource === "arn:aws:states:::lambda:invoke.waitForTaskToken",
      );
      expect(jobs.length).toBeGreaterThan(2);
      for (const job of jobs) {
        expect(job.TimeoutSeconds).toBeGreaterThan(0);
        // Three watchdog periods (the watchdog heartbeats queued work), or none under a short timeout.
        if (job.HeartbeatSeconds !== undefined) expect(job.HeartbeatSeconds).toBeGreaterThanOrEqual(900);
      }
      expect(jobs.filter((job) => job.HeartbeatSeconds !== undefined).length).toBeGreaterThan(2);
      // Each machine may invoke dispatch-job, by its exact ARN.
      const invoke = grantsOf(t(stage), `Pipeline${name}Role`, "lambda:InvokeFunction");
      expect(invoke.map(resourcesOfStatement)).toEqual([[arnOf(dispatchId)]]);
    }
    const [ingestId] = only(t(stage), "AWS::StepFunctions::StateMachine", "PipelineIngest");
    const start = grantsOf(t(stage), "PipelineTransferRole", "states:StartExecution");
    expect(start.map(resourcesOfStatement)).toEqual([[ref(ingestId)]]);
  });

  it("IAM: statements name their resources; '*' only for actions that have no resource-level permissions", () => {
    // Actions AWS does not scope to resources (X-Ray, log delivery, ECR auth, the ECS agent's polling).
    const unscoped = new Set([
      "xray:PutTraceSegments",
      "xray:PutTelemetryRecords",
      "xray:GetSamplingRules",
      "xray:GetSamplingTargets",
      "logs:CreateLogDelivery",
      "logs:GetLogDelivery",
      "logs:UpdateLogDelivery",
      "logs:DeleteLogDelivery",
      "logs:ListLogDeliveries",
      "logs:PutResourcePolicy",
      "logs:DescribeResourcePolicies",
      "logs:DescribeLogGroups",
      "ecr:GetAuthorizationToken",
      "ecs:DiscoverPollEndpoint",
      "ecs:Poll",
      "ecs:StartTelemetrySession",
    ]);
    // aws-cdk-lib's ECS host defaults: the agent's own log streams.
    const hostOnly = new Set(["logs:CreateLogStream", "logs:PutLogEvents"]);
    for (const [id, policy] of Object.entries(resourcesOf(t(stage), "AWS::IAM::Policy"))) {
      const statements = prop<{ Statement: Statement[] }>(policy, "PolicyDocument").Statement;
      for (const s of statements) {
        if (!resourcesOfStatement(s).includes("*")) continue;
        for (const action of actionsOf(s)) {
          const allowed =
            unscoped.has(action) || (id.startsWith("WorkersHostsInstanceRole") && hostOnly.has(action));
          expect(allowed, `${id}: ${action} on "*"`).toBe(true);
        }
      }
    }
    const transferSmName = `stepmatica-${stage}-transfer`;
    const startTransfer = grantsOf(
      t(stage),
      "FunctionsStartTransferFunctionServiceRole",
      "states:StartExecution",
    );
    expect(JSON.stringify(startTransfer.map(resourcesOfStatement))).toContain(
      `stateMachine:${transferSmName}`,
    );
    for (const role of [
      "FunctionsDispatchJobFunctionServiceRole",
      "FunctionsRunTasksFunctionServiceRole",
      "WorkersTaskDefinitionTaskRole",
    ]) {
      const responses = grantsOf(t(stage), role, "states:SendTaskSuccess");
      expect(responses, role).toHaveLength(1);
      const resources = JSON.stringify(responses[0]!.Resource);
      expect(resources).toContain(`stateMachine:stepmatica-${stage}-transfer"`);
      expect(resources).toContain(`stateMachine:stepmatica-${stage}-ingest"`);
    }
    // No role may delete AIPs.
    for (const role of [
      "FunctionsRunTasksFunctionServiceRole",
      "WorkersTaskDefinitionTaskRole",
      "FunctionsApiFunctionServiceRole",
    ]) {
      expect(
        statementsOfRole(t(stage), role)
          .flatMap(actionsOf)
          .filter((a) => a.startsWith("s3:Delete")),
        role,
      ).toEqual([]);
    }
  });

  it("Observability: failed-execution and no-progress alarms to an encrypted topic; a dashboard of the pipeline", () => {
    const [topicId, topic] = only(t(stage), "AWS::SNS::Topic", "ObservabilityAlarmTopic");
    expect(topic.Properties?.KmsMasterKeyId).toBeDefined();
    for (const machine of ["PipelineTransfer", "PipelineIngest"]) {
      const [machineId] = only(t(stage), "AWS::StepFunctions::StateMachine", machine);
      t(stage).hasResourceProperties("AWS::CloudWatch::Alarm", {
        MetricName: "ExecutionsFailed",
        Dimensions: [{ Name: "StateMachineArn", Value: ref(machineId) }],
        AlarmActions: [ref(topicId)],
      });
    }
    t(stage).hasResourceProperties("AWS::CloudWatch::Alarm", {
      Metrics: Match.arrayWith([Match.objectLike({ Expression: Match.stringLikeRegexp("IF\\(") })]),
      EvaluationPeriods: 6,
      AlarmActions: [ref(topicId)],
    });
    const [, dashboard] = only(t(stage), "AWS::CloudWatch::Dashboard", "ObservabilityDashboard");
    const body = JSON.stringify(dashboard.Properties?.DashboardBody);
    for (const title of [
      "Transfers started / completed / failed",
      "Tasks per second",
      "Queue depth",
      "Dead-letter queue depth",
      "Job and task durations",
    ]) {
      expect(body).toContain(title);
    }
  });

  it("outputs name the buckets and the state machines", () => {
    const outputs = Object.keys(t(stage).findOutputs("*"));
    expect(outputs).toEqual(
      expect.arrayContaining([
        "TransferBucketName",
        "AipBucketName",
        "DipBucketName",
        "TransferStateMachineArn",
        "ApiUrl",
      ]),
    );
  });
});
