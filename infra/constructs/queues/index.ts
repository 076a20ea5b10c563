import { Duration } from "aws-cdk-lib";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { VISIBILITY_FACTOR } from "../../config/schema.ts";
import { acknowledge } from "../common.ts";
import { MAX_RECEIVE_COUNT, type QueuesProps } from "./interfaces.ts";

/**
 * The task queues: light (run-tasks Lambda) and heavy (ECS workers), each with a dead-letter queue
 * after MAX_RECEIVE_COUNT deliveries and a visibility timeout of 6x its consumer's timeout; and the
 * dead-letter queue for S3 events that could not start a transfer.
 */
export class Queues extends Construct {
  readonly light: Queue;
  readonly lightDeadLetter: Queue;
  readonly heavy: Queue;
  readonly heavyDeadLetter: Queue;
  readonly eventsDeadLetter: Queue;

  constructor(scope: Construct, id: string, props: QueuesProps) {
    super(scope, id);
    const { config } = props;
    [this.light, this.lightDeadLetter] = this.taskQueue("Light", config.functions.runTasksTimeoutSeconds);
    [this.heavy, this.heavyDeadLetter] = this.taskQueue("Heavy", config.workers.heavyTaskTimeoutSeconds);
    this.eventsDeadLetter = new Queue(this, "TransferEventsDeadLetterQueue", {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(
      this.eventsDeadLetter,
      "AwsSolutions-SQS3",
      "This queue is itself a dead-letter queue: of the EventBridge rule target and of start-transfer's async invocations.",
    );
  }

  private taskQueue(name: string, consumerTimeoutSeconds: number): [Queue, Queue] {
    const deadLetter = new Queue(this, `${name}DeadLetterQueue`, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    const queue = new Queue(this, `${name}Queue`, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(consumerTimeoutSeconds * VISIBILITY_FACTOR),
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: deadLetter, maxReceiveCount: MAX_RECEIVE_COUNT },
    });
    return [queue, deadLetter];
  }
}
