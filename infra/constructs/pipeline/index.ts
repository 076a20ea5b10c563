import { ArnFormat, Stack } from "aws-cdk-lib";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { LogGroup } from "aws-cdk-lib/aws-logs";
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from "aws-cdk-lib/aws-stepfunctions";
import { Construct } from "constructs";
import { SUBSTITUTIONS, type Substitution } from "../../../workflows/compile.ts";
import { compiled, type WorkflowName } from "../../../workflows/index.ts";
import { acknowledge, dataRemovalPolicy } from "../common.ts";
import { executionsArn } from "../functions/index.ts";
import { type PipelineProps, stateMachineName } from "./interfaces.ts";

/** The named ARN of a state machine of this stack (no reference to the resource itself). */
export function stateMachineArn(scope: Construct, stage: string, workflow: WorkflowName): string {
  return Stack.of(scope).formatArn({
    service: "states",
    resource: "stateMachine",
    resourceName: stateMachineName(stage, workflow),
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/**
 * The Step Functions state machines: exactly the JSON the workflow compiler produces and the local
 * engine runs, deployed with DefinitionBody.fromString and definitionSubstitutions. Each job's Task
 * state already carries its TimeoutSeconds and HeartbeatSeconds. Full logging and X-Ray tracing.
 */
export class Pipeline extends Construct {
  readonly transfer: StateMachine;
  readonly ingest: StateMachine;

  constructor(scope: Construct, id: string, props: PipelineProps) {
    super(scope, id);
    const { config, dispatchJob } = props;
    const values: Record<Substitution, string> = {
      DispatchJobFunctionArn: dispatchJob.functionArn,
      IngestStateMachineArn: stateMachineArn(this, config.stage, "ingest"),
    };
    this.ingest = this.machine("ingest", values, props);
    this.transfer = this.machine("transfer", values, props);
    // The transfer's last state starts the ingest (no .sync, so no EventBridge managed rule).
    this.transfer.addToRolePolicy(
      new PolicyStatement({ actions: ["states:StartExecution"], resources: [this.ingest.stateMachineArn] }),
    );
    this.transfer.addToRolePolicy(
      new PolicyStatement({
        actions: ["states:DescribeExecution", "states:StopExecution"],
        resources: [executionsArn(this, values.IngestStateMachineArn)],
      }),
    );
    acknowledge(
      this.transfer,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:${stateMachineName(config.stage, "ingest")}:*]`,
      "Ingest executions are named after SIP ids, unknown at deploy time; the wildcard stays inside the ingest state machine.",
    );
  }

  private machine(
    workflow: WorkflowName,
    values: Record<Substitution, string>,
    props: PipelineProps,
  ): StateMachine {
    const { config } = props;
    const name = stateMachineName(config.stage, workflow);
    const definition = JSON.stringify(compiled(workflow));
    // Only the placeholders this definition holds, so the template says exactly what each machine calls.
    const substitutions = Object.fromEntries(
      SUBSTITUTIONS.filter((key) => definition.includes(`\${${key}}`)).map((key) => [key, values[key]]),
    );
    const logGroup = new LogGroup(this, `${pascal(workflow)}Logs`, {
      logGroupName: `/aws/vendedlogs/states/${name}`,
      retention: config.logRetentionDays,
      removalPolicy: dataRemovalPolicy(config),
    });
    const machine = new StateMachine(this, pascal(workflow), {
      stateMachineName: name,
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromString(definition),
      definitionSubstitutions: substitutions,
      logs: {
        destination: logGroup,
        level: LogLevel[config.operations.stateMachineLogLevel],
        includeExecutionData: config.operations.stateMachineLogExecutionData,
      },
      tracingEnabled: config.operations.tracing,
    });
    if (!config.operations.tracing) {
      acknowledge(
        machine,
        "AwsSolutions-SF2",
        "X-Ray tracing is a stage setting (operations.tracing): off in staging, where the execution history and logs suffice and traces cost per execution.",
      );
    }
    // Unqualified ARN only: the definition invokes the function by that ARN.
    machine.addToRolePolicy(
      new PolicyStatement({ actions: ["lambda:InvokeFunction"], resources: [props.dispatchJob.functionArn] }),
    );
    acknowledge(
      machine,
      "AwsSolutions-IAM5[Resource::*]",
      "CloudWatch Logs delivery (logs:*LogDelivery*) and X-Ray (PutTraceSegments) actions do not support resource-level permissions.",
    );
    return machine;
  }
}

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
