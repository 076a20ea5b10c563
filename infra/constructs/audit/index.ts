import { Duration } from "aws-cdk-lib";
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { Rule, Schedule } from "aws-cdk-lib/aws-events";
import { LambdaFunction } from "aws-cdk-lib/aws-events-targets";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { Construct } from "constructs";
import { FIXITY_FAILURES_METRIC } from "../../../functions/audit/index.ts";
import { METRICS_NAMESPACE, StepmaticaFunction } from "../functions/stepmatica-function.ts";
import { readObjects } from "../grants.ts";
import type { AuditProps } from "./interfaces.ts";

/** Fifteen minutes: Lambda's limit, and the most one audit run may take. */
const AUDIT_TIMEOUT_SECONDS = 900;

/**
 * The fixity audit of stored AIPs: the `audit` function on an EventBridge schedule (every
 * audit.everyHours, audit.aipsPerRun AIPs a run, oldest audit first), reading the AIP bucket and the
 * catalogue, and an alarm on any AIP that no longer matches its manifests. An AIP with more than
 * audit.lambdaRehashMaxGiB to re-read goes to the heavy queue, whose workers audit it.
 */
export class Audit extends Construct {
  readonly function: IFunction;
  readonly rule: Rule;
  readonly alarm: Alarm;

  constructor(scope: Construct, id: string, props: AuditProps) {
    super(scope, id);
    const { config } = props;
    this.function = new StepmaticaFunction(this, "Audit", {
      config,
      name: "audit",
      description: "Scheduled: re-verifies stored AIPs against their manifests (fixity audit)",
      timeoutSeconds: AUDIT_TIMEOUT_SECONDS,
      vpc: props.vpc,
      subnets: props.subnets,
      securityGroup: props.securityGroup,
      accessPoint: props.accessPoint,
      environment: {
        ...props.environment,
        AUDIT_AIPS_PER_RUN: String(config.audit.aipsPerRun),
        AUDIT_MAX_REHASH_BYTES: String(Math.round(config.audit.lambdaRehashMaxGiB * 1024 ** 3)),
      },
    }).function;
    props.database.cluster.grantDataApiAccess(this.function);
    props.heavyQueue.grantSendMessages(this.function);
    readObjects(
      this.function,
      props.aipBucket,
      "*",
      "AIPs are named after their SIP ids; the audit reads every one",
    );
    const every = Duration.hours(config.audit.everyHours);
    this.rule = new Rule(this, "Schedule", {
      description: "Runs the fixity audit of stored AIPs",
      schedule: Schedule.rate(every),
      targets: [new LambdaFunction(this.function, { retryAttempts: 1, maxEventAge: Duration.hours(1) })],
    });
    this.alarm = new Alarm(this, "FixityMismatch", {
      alarmDescription:
        "A stored AIP no longer matches its manifests (the audit function's log names the AIP and files)",
      metric: new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: FIXITY_FAILURES_METRIC,
        dimensionsMap: { service: "stepmatica-audit", stage: config.stage },
        statistic: "Sum",
        period: every,
      }),
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.alarm.addAlarmAction(new SnsAction(props.alarmTopic));
  }
}
