import { type IRole, PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { WorkersProps } from "./interfaces.ts";

/** The worker task role's grants: what the heavy task modules and the task runner touch, nothing more. */
export function grantWorkerAccess(taskRole: IRole, props: WorkersProps): void {
  const { storage, queues, database, stateMachines, config } = props;
  database.cluster.grantDataApiAccess(taskRole);
  queues.heavy.grantConsumeMessages(taskRole);
  taskRole.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ["states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat"],
      resources: [stateMachines.transfer, stateMachines.ingest],
    }),
  );
  taskRole.addToPrincipalPolicy(
    new PolicyStatement({
      actions: ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectAttributes"],
      resources: [storage.transferBucket.arnForObjects(`${config.pipeline.transferPrefix}*`)],
    }),
  );
  taskRole.addToPrincipalPolicy(
    new PolicyStatement({ actions: ["s3:ListBucket"], resources: [storage.transferBucket.bucketArn] }),
  );
  storage.aipBucket.grantReadWrite(taskRole);
  storage.dipBucket.grantReadWrite(taskRole);
  props.fileSystem.grant(taskRole, "elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite");
}
