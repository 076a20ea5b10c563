import { ASSUMPTIONS, ec2Instance, HOURS_PER_MONTH, PRICES } from "./prices.ts";
import { type CfnResource, props, type Resources, targetId } from "./template.ts";

/** One priced resource of the template: what it costs per month when nobody uploads anything. */
export interface IdleLine {
  id: string;
  type: string;
  monthly_usd: number;
  basis: string;
}

type Pricer = (resource: CfnResource, all: Resources) => { usd: number; basis: string };
type Entry = { free: string } | { price: Pricer };

const month = (hourly: number) => hourly * HOURS_PER_MONTH;
const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;

/** Interface endpoint: per AZ-hour; gateway endpoints (S3) are free. */
const vpcEndpoint: Pricer = (r) => {
  if (props(r).VpcEndpointType !== "Interface") return { usd: 0, basis: "gateway endpoint: no charge" };
  const azs = (props(r).SubnetIds as unknown[] | undefined)?.length ?? 1;
  return { usd: azs * month(PRICES.interfaceEndpointAzHour), basis: `interface endpoint in ${azs} AZs` };
};

const ec2InstanceLine: Pricer = (r) => {
  const p = props(r);
  const type = String(p.InstanceType);
  const publicIp = ((p.NetworkInterfaces as Array<{ AssociatePublicIpAddress?: boolean }>) ?? []).some(
    (n) => n.AssociatePublicIpAddress,
  );
  const ebsGb = ebsGbOf(p.BlockDeviceMappings, 8);
  const usd =
    month(ec2Instance(type).hour) +
    (publicIp ? month(PRICES.publicIpv4Hour) : 0) +
    ebsGb * PRICES.ebsGp3GbMonth;
  return { usd, basis: `${type} on demand${publicIp ? " + public IPv4" : ""} + ${ebsGb} GB gp3` };
};

function ebsGbOf(mappings: unknown, fallback: number): number {
  const list = (mappings as Array<{ Ebs?: { VolumeSize?: number } }> | undefined) ?? [];
  if (list.length === 0) return fallback;
  return list.reduce((sum, m) => sum + Number(m.Ebs?.VolumeSize ?? 0), 0);
}

const serverlessInstance: Pricer = (r, all) => {
  const cluster = props(all[targetId(props(r).DBClusterIdentifier) ?? ""]);
  const min = Number(
    (cluster.ServerlessV2ScalingConfiguration as { MinCapacity?: number } | undefined)?.MinCapacity ?? 0,
  );
  if (props(r).DBInstanceClass !== "db.serverless")
    throw new Error("only db.serverless instances are priced");
  return min === 0
    ? { usd: 0, basis: "min 0 ACU: paused while nothing queries it" }
    : { usd: min * month(PRICES.auroraAcuHour), basis: `${min} ACU minimum, always on` };
};

const serverlessCache: Pricer = (r) => {
  const valkey = props(r).Engine === "valkey";
  const minGb = valkey ? PRICES.valkeyServerlessMinGb : 1;
  return { usd: minGb * month(PRICES.valkeyServerlessGbHour), basis: `${minGb} GB minimum billed data` };
};

const alarm: Pricer = (r) => {
  const metrics = (props(r).Metrics as Array<{ MetricStat?: unknown }> | undefined)?.filter(
    (m) => m.MetricStat,
  );
  const n = metrics?.length || 1;
  return { usd: n * PRICES.alarmMetricMonth, basis: `${n} metric(s), standard resolution` };
};

/** An SQS event source mapping long-polls its queue all the time, work or none. */
const sqsPolling: Pricer = () => {
  const requests = (ASSUMPTIONS.sqsIdlePollers * SECONDS_PER_MONTH) / ASSUMPTIONS.sqsLongPollSeconds;
  return {
    usd: requests * PRICES.sqsRequest,
    basis: `${ASSUMPTIONS.sqsIdlePollers} idle long polls of ${ASSUMPTIONS.sqsLongPollSeconds} s`,
  };
};

/** A schedule runs its function whether or not there is work: requests and a short run each time. */
const scheduleRule: Pricer = (r, all) => {
  const expression = props(r).ScheduleExpression;
  if (typeof expression !== "string") return { usd: 0, basis: "event rule: no charge for AWS events" };
  const match = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/.exec(expression);
  if (!match) throw new Error(`cannot price schedule ${expression}`);
  const unit = match[2]!.startsWith("minute") ? 60 : match[2]!.startsWith("hour") ? 3600 : 86_400;
  const runs = SECONDS_PER_MONTH / (Number(match[1]) * unit);
  const targets = (props(r).Targets as Array<{ Arn: unknown }>) ?? [];
  let usd = 0;
  for (const target of targets) {
    const fn = all[targetId(target.Arn) ?? ""];
    if (fn?.Type !== "AWS::Lambda::Function") continue;
    const gb = Number(props(fn).MemorySize ?? 128) / 1024;
    usd += runs * (PRICES.lambdaRequest + ASSUMPTIONS.scheduledRunSeconds * gb * PRICES.lambdaArmGbSecond);
  }
  return { usd, basis: `${Math.round(runs)} runs of ${ASSUMPTIONS.scheduledRunSeconds} s (${expression})` };
};

const autoScalingGroup: Pricer = (r, all) => {
  const min = Number(props(r).MinSize ?? 0);
  const template = props(
    all[targetId((props(r).LaunchTemplate as { LaunchTemplateId?: unknown })?.LaunchTemplateId) ?? ""],
  );
  const data = (template.LaunchTemplateData ?? {}) as {
    InstanceType?: string;
    BlockDeviceMappings?: unknown;
  };
  const type = String(data.InstanceType);
  const perHost =
    month(ec2Instance(type).hour) + ebsGbOf(data.BlockDeviceMappings, 30) * PRICES.ebsGp3GbMonth;
  return { usd: min * perHost, basis: `${min} × ${type} + EBS (minimum hosts)` };
};

const ecsCluster: Pricer = (r) => {
  const settings = (props(r).ClusterSettings as Array<{ Name: string; Value: string }>) ?? [];
  const on = settings.some((s) => s.Name === "containerInsights" && s.Value !== "disabled");
  return on
    ? {
        usd: ASSUMPTIONS.containerInsightsMetrics * PRICES.customMetricMonth,
        basis: `Container Insights: ${ASSUMPTIONS.containerInsightsMetrics} metrics`,
      }
    : { usd: 0, basis: "Container Insights off" };
};

/** A running worker task long-polls the heavy queue. */
const ecsService: Pricer = (r) => {
  const tasks = Number(props(r).DesiredCount ?? 0);
  const requests = (tasks * SECONDS_PER_MONTH) / ASSUMPTIONS.sqsLongPollSeconds;
  return { usd: requests * PRICES.sqsRequest, basis: `${tasks} task(s) long-polling the heavy queue` };
};

const flowLog: Pricer = (r) => {
  const level = props(r).TrafficType === "REJECT" ? "REJECT" : "ALL";
  const gb = ASSUMPTIONS.flowLogsIdleGbMonth[level];
  return { usd: gb * PRICES.logsIngestGb, basis: `${level} flows, ~${gb} GB/month at idle` };
};

const backupPlan: Pricer = () => ({
  usd: ASSUMPTIONS.auroraIdleStorageGb * PRICES.auroraBackupGbMonth,
  basis: `Aurora snapshots of ~${ASSUMPTIONS.auroraIdleStorageGb} GB (EFS holds no data at idle)`,
});

const fixed = (usd: number, basis: string): Entry => ({ price: () => ({ usd, basis }) });
const free = (why: string): Entry => ({ free: why });
const PER_USE = "charged per use only; see the per-file model";

/**
 * Every CloudFormation resource type the stacks use, and how it is priced at idle. A type missing
 * here fails `npm run cost` and its test: a new resource must be priced, or declared free, on purpose.
 */
export const IDLE_PRICES: Record<string, Entry> = {
  "AWS::EC2::NatGateway": fixed(month(PRICES.natGatewayHour), "NAT gateway hours (its IPv4: the EIP line)"),
  "AWS::EC2::EIP": fixed(month(PRICES.publicIpv4Hour), "public IPv4 address"),
  "AWS::EC2::Instance": { price: ec2InstanceLine },
  "AWS::EC2::VPCEndpoint": { price: vpcEndpoint },
  "AWS::EC2::FlowLog": { price: flowLog },
  "AWS::RDS::DBCluster": fixed(
    ASSUMPTIONS.auroraIdleStorageGb * PRICES.auroraStorageGbMonth,
    `~${ASSUMPTIONS.auroraIdleStorageGb} GB catalogue storage`,
  ),
  "AWS::RDS::DBInstance": { price: serverlessInstance },
  "AWS::ElastiCache::ServerlessCache": { price: serverlessCache },
  "AWS::KMS::Key": fixed(PRICES.kmsKeyMonth, "customer managed key"),
  "AWS::SecretsManager::Secret": fixed(PRICES.secretMonth, "one secret"),
  "AWS::CloudWatch::Alarm": { price: alarm },
  "AWS::CloudWatch::Dashboard": fixed(PRICES.dashboardMonth, "one dashboard"),
  "AWS::Lambda::EventSourceMapping": { price: sqsPolling },
  "AWS::Events::Rule": { price: scheduleRule },
  "AWS::AutoScaling::AutoScalingGroup": { price: autoScalingGroup },
  "AWS::ECS::Cluster": { price: ecsCluster },
  "AWS::ECS::Service": { price: ecsService },
  "AWS::ECS::CapacityProvider": fixed(
    ASSUMPTIONS.capacityProviderAlarms * PRICES.alarmMetricMonth,
    "managed scaling's target-tracking alarms",
  ),
  "AWS::Backup::BackupPlan": { price: backupPlan },
  "AWS::EFS::FileSystem": free("working files are transient: $0.30/GB-month only while a transfer runs"),
  "AWS::S3::Bucket": free("storage is per GB-month stored (usd_per_gb_month); empty at idle"),
  "AWS::Logs::LogGroup": free("ingestion is priced where logs are written; storage of idle logs ~0"),
  "AWS::Lambda::Function": free(PER_USE),
  "AWS::StepFunctions::StateMachine": free(PER_USE),
  "AWS::SQS::Queue": free("requests are priced on the pollers (event source mapping, worker service)"),
  "AWS::SNS::Topic": free("alarm notifications: a few requests"),
  "AWS::Cognito::UserPool": free("per monthly active user; none at idle"),
  "AWS::Cognito::UserPoolIdentityProvider": free("federated users are monthly active users; none at idle"),
  "AWS::CloudFront::Distribution": free("per request and GB served; none at idle"),
  "AWS::ApiGatewayV2::Api": free("per request; none at idle"),
  "AWS::CodePipeline::Pipeline": free("per action execution minute; none at idle"),
  "AWS::CodeBuild::Project": free("per build minute; none at idle"),
};

const NO_CHARGE = [
  "AWS::IAM::Role",
  "AWS::IAM::Policy",
  "AWS::IAM::ManagedPolicy",
  "AWS::IAM::InstanceProfile",
  "AWS::EC2::VPC",
  "AWS::EC2::Subnet",
  "AWS::EC2::RouteTable",
  "AWS::EC2::SubnetRouteTableAssociation",
  "AWS::EC2::Route",
  "AWS::EC2::InternetGateway",
  "AWS::EC2::VPCGatewayAttachment",
  "AWS::EC2::SecurityGroup",
  "AWS::EC2::SecurityGroupIngress",
  "AWS::EC2::SecurityGroupEgress",
  "AWS::EC2::LaunchTemplate",
  "AWS::EFS::MountTarget",
  "AWS::EFS::AccessPoint",
  "AWS::RDS::DBSubnetGroup",
  "AWS::SecretsManager::SecretTargetAttachment",
  "AWS::SecretsManager::ResourcePolicy",
  "AWS::SecretsManager::RotationSchedule",
  "AWS::Serverless::Application",
  "AWS::S3::BucketPolicy",
  "AWS::SQS::QueuePolicy",
  "AWS::SNS::TopicPolicy",
  "AWS::SNS::Subscription",
  "AWS::Lambda::Permission",
  "AWS::Lambda::LayerVersion",
  "AWS::Lambda::EventInvokeConfig",
  "AWS::ECS::TaskDefinition",
  "AWS::ECS::ClusterCapacityProviderAssociations",
  "AWS::ApplicationAutoScaling::ScalableTarget",
  "AWS::ApplicationAutoScaling::ScalingPolicy",
  "AWS::Cognito::UserPoolDomain",
  "AWS::Cognito::UserPoolClient",
  "AWS::Cognito::UserPoolGroup",
  "AWS::CloudFront::ResponseHeadersPolicy",
  "AWS::CloudFront::OriginAccessControl",
  "AWS::ApiGatewayV2::Stage",
  "AWS::ApiGatewayV2::Integration",
  "AWS::ApiGatewayV2::Route",
  "AWS::ApiGatewayV2::Authorizer",
  "AWS::Backup::BackupVault",
  "AWS::Backup::BackupSelection",
  "Custom::S3AutoDeleteObjects",
  "Custom::S3BucketNotifications",
  "Custom::VpcRestrictDefaultSG",
  "Custom::StepmaticaMigrations",
  "Custom::CDKBucketDeployment",
];
for (const type of NO_CHARGE) IDLE_PRICES[type] ??= free("no charge for the resource itself");

export class UnpricedResourceError extends Error {}

/** The idle monthly cost of every priced resource of a template; an unknown type is an error. */
export function idleCost(resources: Resources): IdleLine[] {
  const unknown = [...new Set(Object.values(resources).map((r) => r.Type))].filter((t) => !IDLE_PRICES[t]);
  if (unknown.length > 0) {
    throw new UnpricedResourceError(
      `no price entry for ${unknown.join(", ")}: add it (or declare it free) in infra/cost/idle.ts`,
    );
  }
  const lines: IdleLine[] = [];
  for (const [id, resource] of Object.entries(resources)) {
    const entry = IDLE_PRICES[resource.Type]!;
    if ("free" in entry) continue;
    const { usd, basis } = entry.price(resource, resources);
    lines.push({ id, type: resource.Type, monthly_usd: round(usd), basis });
  }
  return lines.sort((a, b) => b.monthly_usd - a.monthly_usd || a.id.localeCompare(b.id));
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
