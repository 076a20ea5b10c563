import { type IConnectable, Port, SecurityGroup } from "aws-cdk-lib/aws-ec2";
import { CfnServerlessCache } from "aws-cdk-lib/aws-elasticache";
import { Construct } from "constructs";
import { dataRemovalPolicy } from "../common.ts";
import type { CacheProps } from "./interfaces.ts";

/**
 * ElastiCache Serverless (Valkey) for the in-flight task sets: TLS always on, encrypted at rest,
 * multi-AZ by construction, and reachable only from the security groups given to allowFrom.
 * Cluster mode is on (serverless caches are clustered), hence REDIS_CLUSTER=true.
 */
export class Cache extends Construct {
  readonly cache: CfnServerlessCache;
  readonly securityGroup: SecurityGroup;
  /** rediss://host:port */
  readonly url: string;
  readonly clusterMode = true;

  constructor(scope: Construct, id: string, props: CacheProps) {
    super(scope, id);
    const { config } = props;
    this.securityGroup = new SecurityGroup(this, "SecurityGroup", {
      vpc: props.vpc,
      description: "stepmatica in-flight cache (from functions and workers only)",
      allowAllOutbound: false,
    });
    this.cache = new CfnServerlessCache(this, "Cache", {
      engine: "valkey",
      majorEngineVersion: "8",
      serverlessCacheName: `stepmatica-${config.stage}`,
      description: `stepmatica ${config.stage} in-flight task sets`,
      securityGroupIds: [this.securityGroup.securityGroupId],
      subnetIds: props.vpc.selectSubnets(props.subnets).subnetIds,
      cacheUsageLimits: {
        dataStorage: { maximum: config.cache.maxDataStorageGb, unit: "GB" },
        ecpuPerSecond: { maximum: config.cache.maxEcpuPerSecond },
      },
      snapshotRetentionLimit: config.cache.snapshotRetentionDays,
    });
    this.cache.applyRemovalPolicy(dataRemovalPolicy(config));
    this.url = `rediss://${this.cache.attrEndpointAddress}:${this.cache.attrEndpointPort}`;
  }

  /** Admits the cache's endpoint (6379) and reader endpoint (6380) from the given compute. */
  allowFrom(...peers: IConnectable[]): void {
    for (const peer of peers) {
      for (const sg of peer.connections.securityGroups) {
        this.securityGroup.addIngressRule(
          sg,
          Port.tcpRange(6379, 6380),
          "Valkey over TLS from stepmatica compute",
        );
      }
    }
  }
}
