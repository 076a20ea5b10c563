import { Stack } from "aws-cdk-lib";
import { type IGrantable, PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { Bucket, CfnBucket } from "aws-cdk-lib/aws-s3";
import type { IConstruct } from "constructs";
import { acknowledge } from "./common.ts";

/** Least-privilege grants shared by the functions and the worker task role. */

export function allow(grantee: IGrantable, actions: string[], resources: string[]): void {
  grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions, resources }));
}

/** Read objects under one key pattern of a bucket (and list the bucket). */
export function readObjects(
  grantee: IGrantable & IConstruct,
  bucket: Bucket,
  keyPattern: string,
  why: string,
): void {
  allow(
    grantee,
    ["s3:GetObject", "s3:GetObjectVersion", "s3:GetObjectAttributes"],
    [bucket.arnForObjects(keyPattern)],
  );
  allow(grantee, ["s3:ListBucket"], [bucket.bucketArn]);
  acknowledgeObjects(grantee, bucket, keyPattern, why);
}

/** Read and write (never delete) the objects of a bucket: multipart uploads included. */
export function readWriteObjects(grantee: IGrantable & IConstruct, bucket: Bucket, why: string): void {
  allow(
    grantee,
    [
      "s3:GetObject",
      "s3:GetObjectVersion",
      "s3:GetObjectAttributes",
      "s3:PutObject",
      "s3:AbortMultipartUpload",
      "s3:ListMultipartUploadParts",
    ],
    [bucket.arnForObjects("*")],
  );
  allow(grantee, ["s3:ListBucket"], [bucket.bucketArn]);
  acknowledgeObjects(grantee, bucket, "*", why);
}

/** Put (never read or delete) objects under one key pattern: what a presigned upload URL needs. */
export function putObjects(
  grantee: IGrantable & IConstruct,
  bucket: Bucket,
  keyPattern: string,
  why: string,
): void {
  allow(grantee, ["s3:PutObject", "s3:AbortMultipartUpload"], [bucket.arnForObjects(keyPattern)]);
  acknowledgeObjects(grantee, bucket, keyPattern, why);
}

/** SendTaskSuccess/Failure/Heartbeat on the state machines, by ARN. */
export function grantTaskResponse(grantee: IGrantable, stateMachineArns: string[]): void {
  allow(
    grantee,
    ["states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat"],
    stateMachineArns,
  );
}

function acknowledgeObjects(grantee: IConstruct, bucket: Bucket, keyPattern: string, why: string): void {
  const logicalId = Stack.of(bucket).getLogicalId(bucket.node.defaultChild as CfnBucket);
  acknowledge(
    grantee,
    `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/${keyPattern}]`,
    `Object keys are not known at deploy time (${why}); the grant stays inside this one bucket${keyPattern === "*" ? "" : ` and prefix`}.`,
  );
}
