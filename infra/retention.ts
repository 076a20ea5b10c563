import { CfnResource, RemovalPolicy } from "aws-cdk-lib";
import type { IConstruct } from "constructs";

/**
 * Production keeps its data stores when the stack is destroyed; a kept store is only usable if
 * what it stands on is kept too: the VPC with its subnets, routes and gateways, the stores' own
 * security groups, subnet groups and mount targets, the database's credentials secret. Everything
 * under the given scopes is retained, except what belongs to the running stack: security-group
 * rules (separate resources, so that CloudFormation can delete them: a kept group must not keep
 * pointing at a deleted one), the secret's rotation schedule (its rotation function goes) and custom
 * resources (their handlers go; the VPC's default-group lockdown stays applied).
 * test/infra/data-stores.test.ts checks the closure: nothing retained refers to anything deleted.
 */
const DELETED_WITH_THE_STACK = new Set([
  "AWS::EC2::SecurityGroupIngress",
  "AWS::EC2::SecurityGroupEgress",
  "AWS::SecretsManager::RotationSchedule",
  "AWS::Serverless::Application", // the rotation function's application
]);

export function retainWithTheDataStores(scopes: IConstruct[]): void {
  for (const scope of scopes) {
    for (const node of scope.node.findAll()) {
      if (
        node instanceof CfnResource &&
        !DELETED_WITH_THE_STACK.has(node.cfnResourceType) &&
        !node.cfnResourceType.startsWith("Custom::")
      )
        node.applyRemovalPolicy(RemovalPolicy.RETAIN);
    }
  }
}
