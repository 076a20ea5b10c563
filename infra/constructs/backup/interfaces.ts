import type { IFileSystem } from "aws-cdk-lib/aws-efs";
import type { StageConfig } from "../../config/index.ts";

export interface BackupProps {
  readonly config: StageConfig;
  readonly databaseClusterArn: string;
  readonly fileSystem: IFileSystem;
}
