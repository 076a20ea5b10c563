import {
  AmazonLinuxCpuType,
  type CfnInstance,
  CpuCredits,
  EbsDeviceVolumeType,
  FlowLogDestination,
  FlowLogTrafficType,
  GatewayVpcEndpointAwsService,
  type IConnectable,
  InstanceType,
  type InterfaceVpcEndpoint,
  InterfaceVpcEndpointAwsService,
  MachineImage,
  type NatInstanceProviderV2,
  NatProvider,
  NatTrafficDirection,
  Peer,
  Port,
  SecurityGroup,
  type SubnetSelection,
  SubnetType,
  Vpc,
} from "aws-cdk-lib/aws-ec2";
import { LogGroup } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { acknowledge, dataRemovalPolicy } from "../common.ts";
import type { NetworkProps } from "./interfaces.ts";

/** The AWS APIs the functions and workers call, reached through interface endpoints when enabled. */
const INTERFACE_SERVICES = {
  Sqs: InterfaceVpcEndpointAwsService.SQS,
  StepFunctions: InterfaceVpcEndpointAwsService.STEP_FUNCTIONS,
  RdsData: InterfaceVpcEndpointAwsService.RDS_DATA,
  Logs: InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
  Monitoring: InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING,
  XRay: InterfaceVpcEndpointAwsService.XRAY,
  SecretsManager: InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
  Ecr: InterfaceVpcEndpointAwsService.ECR,
  EcrDocker: InterfaceVpcEndpointAwsService.ECR_DOCKER,
  Ecs: InterfaceVpcEndpointAwsService.ECS,
  EcsAgent: InterfaceVpcEndpointAwsService.ECS_AGENT,
  EcsTelemetry: InterfaceVpcEndpointAwsService.ECS_TELEMETRY,
} as const;

/** NAT instances (Graviton, Amazon Linux 2023, standard CPU credits: no surprise charges) in the public subnets. */
function natInstanceProvider(instanceType = "t4g.nano"): NatInstanceProviderV2 {
  return NatProvider.instanceV2({
    instanceType: new InstanceType(instanceType),
    machineImage: MachineImage.latestAmazonLinux2023({
      cpuType: instanceType.match(/^[a-z]+\d+g/) ? AmazonLinuxCpuType.ARM_64 : AmazonLinuxCpuType.X86_64,
    }),
    associatePublicIpAddress: true,
    creditSpecification: CpuCredits.STANDARD,
    defaultAllowedTraffic: NatTrafficDirection.OUTBOUND_ONLY,
  });
}

/**
 * The VPC: private subnets for everything that runs, an S3 gateway endpoint, and per environment
 * NAT gateways and/or interface endpoints for SQS, Step Functions, the RDS Data API, logs and ECS/ECR.
 * Also the security groups of the two kinds of compute (functions, workers), which the data stores admit.
 */
export class Network extends Construct {
  readonly vpc: Vpc;
  readonly privateSubnets: SubnetSelection;
  readonly functionsSecurityGroup: SecurityGroup;
  readonly workersSecurityGroup: SecurityGroup;
  /** The ECS hosts (the ECS agent, image pulls); tasks have their own group. */
  readonly hostsSecurityGroup: SecurityGroup;
  private readonly endpoints: InterfaceVpcEndpoint[] = [];

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const { network } = props.config;
    const withNat = network.natGateways > 0;
    const privateType = withNat ? SubnetType.PRIVATE_WITH_EGRESS : SubnetType.PRIVATE_ISOLATED;
    const flowLogs = new LogGroup(this, "FlowLogs", {
      retention: props.config.logRetentionDays,
      removalPolicy: dataRemovalPolicy(props.config),
    });
    const natInstances =
      withNat && network.natProvider === "instance"
        ? natInstanceProvider(network.natInstanceType)
        : undefined;
    this.vpc = new Vpc(this, "Vpc", {
      maxAzs: network.maxAzs,
      natGateways: network.natGateways,
      ...(natInstances ? { natGatewayProvider: natInstances } : {}),
      subnetConfiguration: [
        ...(withNat ? [{ name: "public", subnetType: SubnetType.PUBLIC, cidrMask: 24 }] : []),
        { name: "private", subnetType: privateType, cidrMask: 20 },
      ],
      gatewayEndpoints: { S3: { service: GatewayVpcEndpointAwsService.S3 } },
      flowLogs: {
        all: {
          destination: FlowLogDestination.toCloudWatchLogs(flowLogs),
          trafficType: network.flowLogs === "REJECT" ? FlowLogTrafficType.REJECT : FlowLogTrafficType.ALL,
        },
      },
      restrictDefaultSecurityGroup: true,
    });
    this.privateSubnets = { subnetType: privateType };
    if (natInstances) this.secureNatInstances(natInstances);
    if (network.interfaceEndpoints) {
      for (const [name, service] of Object.entries(INTERFACE_SERVICES)) {
        // Not open to the VPC's CIDR: only the security groups given to allowEndpointsFrom reach them.
        this.endpoints.push(
          this.vpc.addInterfaceEndpoint(name, {
            service,
            subnets: this.privateSubnets,
            privateDnsEnabled: true,
            open: false,
          }),
        );
      }
    }
    this.functionsSecurityGroup = new SecurityGroup(this, "FunctionsSecurityGroup", {
      vpc: this.vpc,
      description: "stepmatica Lambda functions",
      allowAllOutbound: true,
    });
    this.workersSecurityGroup = new SecurityGroup(this, "WorkersSecurityGroup", {
      vpc: this.vpc,
      description: "stepmatica ECS worker tasks",
      allowAllOutbound: true,
    });
    this.hostsSecurityGroup = new SecurityGroup(this, "HostsSecurityGroup", {
      vpc: this.vpc,
      description: "stepmatica ECS hosts (no inbound)",
      allowAllOutbound: true,
    });
    for (const group of [this.functionsSecurityGroup, this.workersSecurityGroup]) {
      // Adding ingress on the data stores also adds a (redundant) egress rule here, which CDK skips.
      acknowledge(
        group,
        "Annotation::@aws-cdk/aws-ec2:ipv4IgnoreEgressRule",
        "Outbound is open on purpose (AWS APIs through NAT or endpoints); the data stores restrict inbound.",
      );
    }
    this.allowEndpointsFrom(this.functionsSecurityGroup, this.workersSecurityGroup, this.hostsSecurityGroup);
  }

  /**
   * NAT instances admit traffic from inside the VPC only, encrypt their root volume and carry the
   * acknowledgements of what a NAT instance is by design.
   */
  private secureNatInstances(provider: NatInstanceProviderV2): void {
    provider.connections.allowFrom(Peer.ipv4(this.vpc.vpcCidrBlock), Port.allTraffic(), "NAT from the VPC");
    acknowledge(
      provider.securityGroup,
      "AwsSolutions-EC23",
      "The NAT instance admits traffic from the VPC's own CIDR only (cdk-nag cannot read the CIDR, a token); nothing from 0.0.0.0/0.",
    );
    for (const gateway of provider.gatewayInstances) {
      const cfn = gateway.node.defaultChild as CfnInstance;
      cfn.blockDeviceMappings = [
        {
          deviceName: "/dev/xvda",
          ebs: {
            encrypted: true,
            volumeSize: 8,
            volumeType: EbsDeviceVolumeType.GP3,
            deleteOnTermination: true,
          },
        },
      ];
      acknowledge(
        gateway,
        "AwsSolutions-EC26",
        "The NAT instance's only volume is its root volume, encrypted (BlockDeviceMappings above); cdk-nag cannot evaluate the AMI token.",
      );
      acknowledge(
        gateway,
        "AwsSolutions-EC28",
        "A NAT instance forwards packets and keeps no state worth monitoring at 1-minute resolution; basic monitoring and the pipeline alarms cover it.",
      );
      acknowledge(
        gateway,
        "AwsSolutions-EC29",
        "The NAT instance holds no data: if it is terminated, a stack update recreates it; staging chooses it over a NAT gateway for cost (npm run cost).",
      );
    }
  }

  /** Admits HTTPS to the interface endpoints (if any) from the given compute. */
  allowEndpointsFrom(...peers: IConnectable[]): void {
    for (const endpoint of this.endpoints) {
      for (const peer of peers) endpoint.connections.allowDefaultPortFrom(peer, "HTTPS to AWS APIs");
    }
  }
}
