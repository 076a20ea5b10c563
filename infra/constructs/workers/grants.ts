import type { IRole } from "aws-cdk-lib/aws-iam";
import { grantTaskResponse, readObjects, readWriteObjects } from "../grants.ts";
import type { WorkersProps } from "./interfaces.ts";

/** The worker task role's grants: what the heavy task modules and the task runner touch, nothing more. */
export function grantWorkerAccess(taskRole: IRole, props: WorkersProps): void {
  const { storage, queues, database, stateMachines, config } = props;
  database.cluster.grantDataApiAccess(taskRole);
  queues.heavy.grantConsumeMessages(taskRole);
  grantTaskResponse(taskRole, [stateMachines.transfer, stateMachines.ingest]);
  readObjects(taskRole, storage.transferBucket, `${config.pipeline.transferPrefix}*`, "uploaded transfers");
  readWriteObjects(taskRole, storage.aipBucket, "AIPs are named after their SIP ids");
  readWriteObjects(taskRole, storage.dipBucket, "DIPs are named after their SIP ids");
  props.fileSystem.grant(taskRole, "elasticfilesystem:ClientMount", "elasticfilesystem:ClientWrite");
}
