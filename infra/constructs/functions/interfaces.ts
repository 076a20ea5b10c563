import type { ISecurityGroup, IVpc, SubnetSelection } from "aws-cdk-lib/aws-ec2";
import type { AccessPoint } from "aws-cdk-lib/aws-efs";
import type { IQueue, Queue } from "aws-cdk-lib/aws-sqs";
import type { StageConfig } from "../../config/index.ts";
import type { Database } from "../database/index.ts";
import type { Queues } from "../queues/index.ts";
import type { Storage } from "../storage/index.ts";

/** What every stepmatica function shares: the VPC placement, working storage, logs and environment. */
export interface StepmaticaFunctionProps {
  readonly config: StageConfig;
  /** kebab-case; the entry is functions/handlers/<name>.ts and the Powertools service name is stepmatica-<name>. */
  readonly name: string;
  readonly description: string;
  readonly vpc: IVpc;
  readonly subnets: SubnetSelection;
  readonly securityGroup: ISecurityGroup;
  readonly accessPoint: AccessPoint;
  readonly environment: Record<string, string>;
  readonly timeoutSeconds: number;
  readonly memoryMb?: number;
  readonly deadLetterQueue?: IQueue;
  /** The function identifies formats: the PRONOM signature files go into its bundle. */
  readonly identifiesFormats?: boolean;
}

/** The ARNs the functions need before the state machines exist (they are named, so no dependency cycle). */
export interface StateMachineArns {
  readonly transfer: string;
  readonly ingest: string;
}

export interface FunctionsProps {
  readonly config: StageConfig;
  readonly vpc: IVpc;
  readonly subnets: SubnetSelection;
  readonly securityGroup: ISecurityGroup;
  readonly accessPoint: AccessPoint;
  readonly storage: Storage;
  readonly database: Database;
  readonly queues: Queues;
  readonly stateMachines: StateMachineArns;
  /** The variables every function and worker reads (see runtimeEnvironment). */
  readonly environment: Record<string, string>;
  readonly eventsDeadLetterQueue: Queue;
}
