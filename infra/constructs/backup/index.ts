import { Duration } from "aws-cdk-lib";
import { BackupPlan, BackupPlanRule, BackupResource, BackupVault } from "aws-cdk-lib/aws-backup";
import { Schedule } from "aws-cdk-lib/aws-events";
import { Construct } from "constructs";
import { acknowledge, dataRemovalPolicy } from "../common.ts";
import type { BackupProps } from "./interfaces.ts";

/**
 * AWS Backup for the catalogue (Aurora) and the working storage (EFS): a daily backup at 03:00 UTC
 * kept durability.backupRetentionDays, in a vault of its own. Aurora's own automated backups
 * (database.backupRetentionDays, at most 35 days) stay: this plan is the longer, separately managed copy.
 */
export class Backup extends Construct {
  readonly vault: BackupVault;
  readonly plan: BackupPlan;

  constructor(scope: Construct, id: string, props: BackupProps) {
    super(scope, id);
    const { config } = props;
    this.vault = new BackupVault(this, "Vault", {
      backupVaultName: `stepmatica-${config.stage}`,
      removalPolicy: dataRemovalPolicy(config),
    });
    this.plan = new BackupPlan(this, "Plan", {
      backupPlanName: `stepmatica-${config.stage}`,
      backupVault: this.vault,
      backupPlanRules: [
        new BackupPlanRule({
          ruleName: "daily",
          scheduleExpression: Schedule.cron({ hour: "3", minute: "0" }),
          deleteAfter: Duration.days(config.durability.backupRetentionDays),
        }),
      ],
    });
    const selection = this.plan.addSelection("CatalogueAndWorkingStorage", {
      resources: [
        BackupResource.fromArn(props.databaseClusterArn),
        BackupResource.fromEfsFileSystem(props.fileSystem),
      ],
    });
    acknowledge(
      selection,
      "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSBackupServiceRolePolicyForBackup]",
      "AWS Backup's own service policy for taking backups: the policy AWS maintains for this role, scoped by the selection to Aurora and EFS.",
    );
  }
}
