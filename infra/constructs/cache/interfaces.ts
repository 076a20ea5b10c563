import type { SubnetSelection, Vpc } from "aws-cdk-lib/aws-ec2";
import type { StageConfig } from "../../config/index.ts";

export interface CacheProps {
  readonly config: StageConfig;
  readonly vpc: Vpc;
  readonly subnets: SubnetSelection;
}
