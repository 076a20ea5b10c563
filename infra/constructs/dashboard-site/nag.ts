import { Stack } from "aws-cdk-lib";
import type { Distribution } from "aws-cdk-lib/aws-cloudfront";
import type { Bucket, CfnBucket } from "aws-cdk-lib/aws-s3";
import type { BucketDeployment } from "aws-cdk-lib/aws-s3-deployment";
import { acknowledge } from "../common.ts";

/** cdk-nag findings of the dashboard site that are accepted, each on the resource it concerns. */
export function acknowledgeDistribution(distribution: Distribution): void {
  acknowledge(
    distribution,
    "AwsSolutions-CFR1",
    "Staff sign in from wherever they work; the distribution serves only the page's static code, and every datum is behind the API's Cognito JWT authorizer.",
  );
  acknowledge(
    distribution,
    "AwsSolutions-CFR2",
    "A CloudFront web ACL must live in us-east-1 while this stack deploys to any region; the page is static and public by nature, the API behind it is JWT-gated and throttled.",
  );
  acknowledge(
    distribution,
    "AwsSolutions-CFR4",
    "No custom domain: the default *.cloudfront.net certificate's minimum protocol cannot be raised; a custom domain with an ACM certificate and TLSv1.2_2021 lifts this.",
  );
}

/**
 * The page's deployment runs aws-cdk-lib's BucketDeployment handler, a function shared by the stack
 * (found through its role); its grants are aws-cdk-lib's and name the two buckets involved.
 */
export function acknowledgeDeployment(deployment: BucketDeployment, siteBucket: Bucket): void {
  const handler = deployment.handlerRole.node.scope;
  if (!handler) throw new Error("BucketDeployment: its handler function was not found");
  const siteBucketId = Stack.of(siteBucket).getLogicalId(siteBucket.node.defaultChild as CfnBucket);
  const findings: Array<[string, string]> = [
    [
      "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
      "aws-cdk-lib's BucketDeployment handler only writes its own logs with the AWS basic execution policy.",
    ],
    [
      "AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::cdk-hnb659fds-assets-<AWS::AccountId>-<AWS::Region>/*]",
      "The handler reads the page's zipped asset from the CDK bootstrap bucket; asset keys are content hashes unknown before synthesis.",
    ],
    [
      `AwsSolutions-IAM5[Resource::<${siteBucketId}.Arn>/*]`,
      "The handler replaces the page's files in the site bucket (prune): every object of that one bucket.",
    ],
    ...["s3:GetObject*", "s3:GetBucket*", "s3:List*", "s3:DeleteObject*", "s3:Abort*"].map(
      (action): [string, string] => [
        `AwsSolutions-IAM5[Action::${action}]`,
        `aws-cdk-lib's BucketDeployment grants ${action} on the asset and site buckets only, to copy and prune the page's files.`,
      ],
    ),
    [
      "AwsSolutions-L1",
      "aws-cdk-lib picks and updates the BucketDeployment handler's runtime with its own releases; it runs only at deploy time.",
    ],
  ];
  for (const [id, reason] of findings) acknowledge(handler, id, reason);
}
