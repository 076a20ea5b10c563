import { ArnFormat, Duration, Stack } from "aws-cdk-lib";
import { Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { SqsEventSource } from "aws-cdk-lib/aws-lambda-event-sources";
import { Construct } from "constructs";
import { DEFAULT_RESUME_WAIT_MS } from "../../../functions/adapters/aws/rds-data-sql.ts";
import { QUEUED_HEARTBEAT_INTERVAL_SECONDS } from "../../../workflows/heartbeats.ts";
import { OPERATOR_GROUP, READER_GROUP } from "../api/interfaces.ts";
import { acknowledge } from "../common.ts";
import { allow, grantTaskResponse, putObjects, readObjects, readWriteObjects } from "../grants.ts";
import type { FunctionsProps, StepmaticaFunctionProps } from "./interfaces.ts";
import { StepmaticaFunction } from "./stepmatica-function.ts";

/** What the Data API adapter waits for a paused Aurora to resume: every function that queries has this room. */
const RESUMING_DATABASE_ROOM_SECONDS = DEFAULT_RESUME_WAIT_MS / 1000;

/** The ARN of every execution of a named state machine (execution names are not known in advance). */
export function executionsArn(scope: Construct, stateMachineArn: string): string {
  const name = Stack.of(scope).splitArn(stateMachineArn, ArnFormat.COLON_RESOURCE_NAME).resourceName;
  return Stack.of(scope).formatArn({
    service: "states",
    resource: "execution",
    resourceName: `${name}:*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/**
 * The five Lambda functions and their triggers: start-transfer (S3 Object Created via EventBridge),
 * dispatch-job (the state machines' waitForTaskToken target), run-tasks (light-queue consumer with
 * partial batch failures), api (the dashboard's API, behind the Api construct's HTTP API) and
 * watchdog (an EventBridge schedule: fails units that stopped making progress).
 * Each gets only the grants its code uses.
 */
export class Functions extends Construct {
  readonly startTransfer: IFunction;
  readonly dispatchJob: IFunction;
  readonly runTasks: IFunction;
  readonly api: IFunction;
  readonly watchdog: IFunction;
  readonly transferRule: Rule;
  readonly watchdogRule: Rule;

  constructor(scope: Construct, id: string, props: FunctionsProps) {
    super(scope, id);
    const { config, storage, database, queues, stateMachines } = props;
    const make = (
      name: string,
      description: string,
      timeoutSeconds: number,
      extra: Partial<StepmaticaFunctionProps> = {},
    ) =>
      new StepmaticaFunction(this, toPascal(name), {
        config,
        name,
        description,
        timeoutSeconds,
        vpc: props.vpc,
        subnets: props.subnets,
        securityGroup: props.securityGroup,
        accessPoint: props.accessPoint,
        environment: props.environment,
        ...extra,
      }).function;

    const startTransfer = make(
      "start-transfer",
      "S3 Object Created -> StartExecution of the transfer workflow",
      RESUMING_DATABASE_ROOM_SECONDS + 60,
      {
        deadLetterQueue: props.eventsDeadLetterQueue,
      },
    );
    const dispatchJob = make(
      "dispatch-job",
      "A job's Task state: records the job and its tasks, queues them",
      RESUMING_DATABASE_ROOM_SECONDS + 90,
    );
    // Identify file format runs on the light queue, so run-tasks carries the PRONOM signature files.
    const runTasks = make(
      "run-tasks",
      "Light-queue consumer: runs tasks, settles jobs",
      config.functions.runTasksTimeoutSeconds,
      { identifiesFormats: true },
    );
    const api = make("api", "Dashboard and its API", 30, {
      memoryMb: 512,
      // With an identity provider, reading needs the readers group (see READER_GROUP).
      environment: {
        ...props.environment,
        OPERATOR_GROUP,
        ...(config.dashboard.identityProvider ? { READER_GROUP } : {}),
      },
    });
    const watchdog = make(
      "watchdog",
      "Scheduled: fails units that stopped making progress",
      RESUMING_DATABASE_ROOM_SECONDS + 120,
    );
    this.startTransfer = startTransfer;
    this.dispatchJob = dispatchJob;
    this.runTasks = runTasks;
    this.api = api;
    this.watchdog = watchdog;

    // The Data API and the cluster's secret (grantDataApiAccess grants both).
    for (const fn of [startTransfer, dispatchJob, runTasks, api, watchdog])
      database.cluster.grantDataApiAccess(fn);

    // start-transfer: reads the uploaded object's metadata, starts (or finds) the transfer execution.
    const uploads = `${config.pipeline.transferPrefix}*`;
    readObjects(startTransfer, storage.transferBucket, uploads, "uploaded transfers");
    allow(startTransfer, ["states:StartExecution"], [stateMachines.transfer]);
    allow(startTransfer, ["states:DescribeExecution"], [executionsArn(this, stateMachines.transfer)]);
    this.transferRule = new Rule(this, "TransferUploadedRule", {
      description: "An object created under the transfer prefix starts a transfer",
      eventPattern: {
        source: ["aws.s3"],
        detailType: ["Object Created"],
        detail: {
          bucket: { name: [storage.transferBucket.bucketName] },
          object: { key: [{ prefix: config.pipeline.transferPrefix }] },
        },
      },
      targets: [
        new LambdaFunction(startTransfer, {
          deadLetterQueue: props.eventsDeadLetterQueue,
          retryAttempts: 8,
          maxEventAge: Duration.hours(6),
        }),
      ],
    });

    // dispatch-job: queues tasks; answers the token at once when a job has no tasks.
    queues.light.grantSendMessages(dispatchJob);
    queues.heavy.grantSendMessages(dispatchJob);
    grantTaskResponse(dispatchJob, [stateMachines.transfer, stateMachines.ingest]);

    // run-tasks: the light queue's consumer; settles jobs; stores AIPs and DIPs.
    runTasks.addEventSource(
      new SqsEventSource(queues.light, {
        batchSize: config.functions.runTasksBatchSize,
        maxConcurrency: config.functions.runTasksMaxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
    grantTaskResponse(runTasks, [stateMachines.transfer, stateMachines.ingest]);
    readObjects(runTasks, storage.transferBucket, uploads, "uploaded transfers");
    readWriteObjects(runTasks, storage.aipBucket, "AIPs are named after their SIP ids");
    readWriteObjects(runTasks, storage.dipBucket, "DIPs are named after their SIP ids");

    // api: reads the store; presigns AIP downloads and transfer uploads (served by the Api construct);
    // an operator's answer to a decision resumes the workflow waiting on it.
    grantTaskResponse(api, [stateMachines.transfer, stateMachines.ingest]);
    readObjects(api, storage.aipBucket, "*", "AIPs are named after their SIP ids");
    putObjects(api, storage.transferBucket, uploads, "uploaded transfers");

    // watchdog: a pass every WATCHDOG_RATE; it settles a stalled job like any other (SendTaskFailure
    // or Success on the waiting state) and clears its in-flight set in Redis (the functions' security group).
    grantTaskResponse(watchdog, [stateMachines.transfer, stateMachines.ingest]);
    // It asks Step Functions for running executions first, so an idle stack lets Aurora pause.
    allow(watchdog, ["states:ListExecutions"], [stateMachines.transfer, stateMachines.ingest]);
    watchdog.configureAsyncInvoke({ retryAttempts: 0, maxEventAge: WATCHDOG_RATE });
    this.watchdogRule = new Rule(this, "WatchdogSchedule", {
      description: "Runs the watchdog: units without progress past their job's timeout are failed",
      schedule: Schedule.rate(WATCHDOG_RATE),
      targets: [new LambdaFunction(watchdog, { retryAttempts: 0, maxEventAge: WATCHDOG_RATE })],
    });

    acknowledge(
      startTransfer,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:stepmatica-${config.stage}-transfer:*]`,
      "Execution names are the transfer ids, unknown at deploy time; the wildcard stays inside the one state machine.",
    );
  }
}

/** How often the watchdog runs: a failed pass is not retried, the next one comes soon enough. */
/** The watchdog also heartbeats jobs whose tasks wait in a queue: its rate is what the compiler assumed. */
export const WATCHDOG_RATE = Duration.seconds(QUEUED_HEARTBEAT_INTERVAL_SECONDS);

function toPascal(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase());
}
