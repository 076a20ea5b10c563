import type { AccessPoint } from "aws-cdk-lib/aws-efs";
import { PolicyStatement } from "aws-cdk-lib/aws-iam";
import { FileSystem } from "aws-cdk-lib/aws-lambda";

/**
 * A Lambda EFS mount whose grant names the file system. aws-cdk-lib's fromEfsAccessPoint grants
 * ClientMount on "*" (conditioned on the access point); here both actions are on the one file system,
 * still conditioned on the access point.
 */
export class ScopedEfsMount extends FileSystem {
  constructor(accessPoint: AccessPoint, mountPath: string) {
    const base = FileSystem.fromEfsAccessPoint(accessPoint, mountPath).config;
    super({
      ...base,
      policies: [
        new PolicyStatement({
          actions: ["elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite"],
          resources: [accessPoint.fileSystem.fileSystemArn],
          conditions: { StringEquals: { "elasticfilesystem:AccessPointArn": accessPoint.accessPointArn } },
        }),
      ],
    });
  }
}
