import { Duration } from "aws-cdk-lib";
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  type Metric,
  TextWidget,
  TreatMissingData,
} from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import { Construct } from "constructs";
import { METRICS_NAMESPACE } from "../functions/stepmatica-function.ts";
import { JOB_DURATION_METRIC, type ObservabilityProps, TASK_DURATION_METRIC } from "./interfaces.ts";

const FIVE_MINUTES = Duration.minutes(5);

/**
 * The dashboard (transfers started/completed/failed, tasks per second, queue and DLQ depth, job
 * durations) and the alarms (a DLQ not empty, failed or timed-out executions, failing functions,
 * work queued but nothing completing) that notify an encrypted SNS topic (and the alarm e-mail).
 */
export class Observability extends Construct {
  readonly topic: Topic;
  readonly dashboard: Dashboard;
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    const { config } = props;
    const key = new Key(this, "AlarmTopicKey", {
      description: `stepmatica ${config.stage} alarm topic`,
      enableKeyRotation: true,
    });
    // CloudWatch alarms publish to an encrypted topic only if the key lets CloudWatch use it.
    key.grant(new ServicePrincipal("cloudwatch.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey*");
    this.topic = new Topic(this, "AlarmTopic", { masterKey: key, enforceSSL: true });
    if (config.alarmEmail) this.topic.addSubscription(new EmailSubscription(config.alarmEmail));

    const { light, heavy } = props.queues;
    for (const [name, dlq] of Object.entries(props.deadLetterQueues)) {
      this.alarm(
        `${name}NotEmpty`,
        `The ${name} dead-letter queue holds messages`,
        dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: "Maximum" }),
      );
    }
    for (const [name, machine] of Object.entries({ Transfer: props.transfer, Ingest: props.ingest })) {
      this.alarm(
        `${name}ExecutionsFailed`,
        `A ${name.toLowerCase()} execution failed`,
        machine.metricFailed({ period: FIVE_MINUTES }),
      );
      this.alarm(
        `${name}ExecutionsTimedOut`,
        `A ${name.toLowerCase()} execution timed out`,
        machine.metricTimedOut({ period: FIVE_MINUTES }),
      );
    }
    for (const [name, fn] of Object.entries(props.criticalFunctions)) {
      this.alarm(`${name}Errors`, `${name} is failing`, fn.metricErrors({ period: FIVE_MINUTES }));
    }
    const noProgress = new MathExpression({
      label: "work queued, nothing completed",
      expression: "IF((lv + hv) > 0 AND (ld + hd) == 0, 1, 0)",
      usingMetrics: {
        lv: light.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: "Maximum" }),
        hv: heavy.metricApproximateNumberOfMessagesVisible({ period: FIVE_MINUTES, statistic: "Maximum" }),
        ld: light.metricNumberOfMessagesDeleted({ period: FIVE_MINUTES }),
        hd: heavy.metricNumberOfMessagesDeleted({ period: FIVE_MINUTES }),
      },
      period: FIVE_MINUTES,
    });
    this.alarm("NoProgress", "Tasks are queued but none completed for 30 minutes", noProgress, 6);

    this.dashboard = new Dashboard(this, "Dashboard", { dashboardName: `stepmatica-${config.stage}` });
    this.dashboard.addWidgets(
      new TextWidget({ markdown: `# stepmatica ${config.stage}`, width: 24, height: 1 }),
      graph("Transfers started / completed / failed", [
        props.transfer.metricStarted({ label: "transfers started", period: FIVE_MINUTES }),
        props.ingest.metricSucceeded({ label: "AIPs completed", period: FIVE_MINUTES }),
        props.transfer.metricFailed({ label: "transfers failed", period: FIVE_MINUTES }),
        props.ingest.metricFailed({ label: "ingests failed", period: FIVE_MINUTES }),
      ]),
      graph("Tasks per second", [
        new MathExpression({
          label: "tasks/s",
          expression: "(ld + hd) / PERIOD(ld)",
          usingMetrics: {
            ld: light.metricNumberOfMessagesDeleted(),
            hd: heavy.metricNumberOfMessagesDeleted(),
          },
          period: Duration.minutes(1),
        }),
      ]),
      graph("Queue depth", [
        light.metricApproximateNumberOfMessagesVisible({ label: "light waiting" }),
        light.metricApproximateNumberOfMessagesNotVisible({ label: "light running" }),
        heavy.metricApproximateNumberOfMessagesVisible({ label: "heavy waiting" }),
        heavy.metricApproximateNumberOfMessagesNotVisible({ label: "heavy running" }),
      ]),
      graph(
        "Dead-letter queue depth",
        Object.entries(props.deadLetterQueues).map(([name, q]) =>
          q.metricApproximateNumberOfMessagesVisible({ label: name }),
        ),
      ),
      graph("Job and task durations", [
        search(JOB_DURATION_METRIC, "Average", "job duration (s)"),
        search(TASK_DURATION_METRIC, "p90", "task duration p90 (ms)"),
        props.runTasks.metricDuration({ label: "run-tasks invocation p90 (ms)", statistic: "p90" }),
      ]),
    );
  }

  private alarm(
    id: string,
    description: string,
    metric: Metric | MathExpression,
    evaluationPeriods = 1,
  ): void {
    const alarm = new Alarm(this, id, {
      alarmDescription: description,
      metric,
      threshold: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new SnsAction(this.topic));
    this.alarms.push(alarm);
  }
}

/** Every service's series of one stepmatica metric (the run-tasks function and the worker both emit). */
function search(metricName: string, statistic: string, label: string): MathExpression {
  return new MathExpression({
    label,
    expression: `SEARCH('{${METRICS_NAMESPACE},service} MetricName="${metricName}"', '${statistic}', 300)`,
    period: FIVE_MINUTES,
  });
}

function graph(title: string, left: Array<Metric | MathExpression>): GraphWidget {
  return new GraphWidget({ title, left, width: 12, height: 6 });
}
