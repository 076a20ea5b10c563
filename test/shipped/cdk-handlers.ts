/**
 * aws-cdk-lib's own Lambda assets in cdk.out, driven as CloudFormation drives them: each copied alone
 * into an empty folder and run in a child process of its runtime (Node.js with only the AWS SDK v3
 * beside it; Python with boto3 and the AwsCliLayer mounted at /opt), given the Create or Delete
 * request of its custom resource — the properties taken from the template, references resolved to
 * local resources — and judged by what it PUTs to the ResponseURL (cfn-response-server.ts) and by
 * its effect on moto: objects deleted, security-group rules revoked, the page's files copied.
 *
 * The Provider framework's onEvent calls the Lambda Invoke API for our migrate function. moto's
 * Lambda would need Docker to run a function, so the Invoke goes to moto's endpoint, whose proxy
 * (test/helpers/local-aws/moto-server.ts) hands it to the bundled migrate handler loaded from its own
 * folder, as the Lambda service would; everything else the handlers call is moto's own S3 and EC2.
 */
import { rm } from "node:fs/promises";
import path from "node:path";
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateVpcCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
} from "@aws-sdk/client-ec2";
import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketTaggingCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import type { Template } from "aws-cdk-lib/assertions";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isolate, type LambdaAsset } from "./artifacts.ts";
import { type CfnResponse, type CfnResponseServer, startCfnResponseServer } from "./cfn-response-server.ts";
import {
  type CustomResource,
  customResourceRequest,
  customResources,
  fileAsset,
  publishFileAssets,
  resolve,
} from "./cloudformation.ts";
import type { Handler, Harness } from "./harness.ts";
import { extractLayer, invokeInRuntime } from "./runtimes.ts";

export interface Shipped {
  template: Template;
  outdir: string;
  stackName: string;
  assets: LambdaAsset[];
  harness: Harness;
  /** The bundled migrate handler, loaded from its folder. */
  migrate: Handler;
}

const ACCOUNT = "123456789012";
const REGION = "us-east-1";
type Resource = { Type: string; Properties?: Record<string, unknown> };

/** The custom resource types whose functions are aws-cdk-lib's; each is driven below. */
const DRIVEN = [
  "Custom::S3AutoDeleteObjects",
  "Custom::VpcRestrictDefaultSG",
  "Custom::StepmaticaMigrations",
  "Custom::CDKBucketDeployment",
];

export function describeCdkHandlers(shipped: () => Shipped) {
  describe("aws-cdk-lib's handlers driven with CloudFormation's requests", () => {
    let s: Shipped;
    let responses: CfnResponseServer;
    let ec2: EC2Client;
    let resources: CustomResource[];
    let templateResources: Record<string, Resource>;
    /** References CloudFormation would resolve: filled per test with the local resources. */
    const refs: Record<string, string> = {
      "AWS::AccountId": ACCOUNT,
      "AWS::Region": REGION,
      "AWS::Partition": "aws",
    };
    const cleanup: string[] = [];
    /** Layers extracted once per zip (the AwsCliLayer holds 4,000 files). */
    const layers = new Map<string, Promise<string>>();

    beforeAll(async () => {
      s = shipped();
      responses = await startCfnResponseServer();
      ec2 = new EC2Client({
        region: REGION,
        endpoint: s.harness.moto.endpoint,
        credentials: s.harness.moto.credentials,
      });
      resources = customResources(s.template);
      templateResources = s.template.toJSON().Resources as Record<string, Resource>;
      for (const asset of s.assets)
        refs[`${asset.logicalId}.Arn`] = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${asset.logicalId}`;
    });

    afterAll(async () => {
      ec2?.destroy();
      await responses?.close();
      for (const dir of cleanup) await rm(dir, { recursive: true, force: true });
    });

    const resourceOfType = (type: string, where: (r: CustomResource) => boolean = () => true) => {
      const found = resources.find((r) => r.type === type && where(r));
      if (!found) throw new Error(`the template has no ${type}`);
      return found;
    };
    const logicalIdOfType = (type: string) => {
      const ids = Object.entries(templateResources).filter(([, r]) => r.Type === type);
      if (ids.length !== 1)
        throw new Error(`the template has ${ids.length} resources of type ${type}, expected one`);
      return ids[0]![0];
    };
    /** A bucket made as the template makes `logicalId`: its tags and versioning. */
    const bucketLike = async (logicalId: string, name: string) => {
      const props = templateResources[logicalId]?.Properties ?? {};
      await s.harness.s3.send(new CreateBucketCommand({ Bucket: name }));
      const tags = props.Tags as Array<{ Key: string; Value: string }> | undefined;
      if (tags)
        await s.harness.s3.send(new PutBucketTaggingCommand({ Bucket: name, Tagging: { TagSet: tags } }));
      const versioning = props.VersioningConfiguration as { Status: "Enabled" | "Suspended" } | undefined;
      if (versioning)
        await s.harness.s3.send(
          new PutBucketVersioningCommand({
            Bucket: name,
            VersioningConfiguration: { Status: versioning.Status },
          }),
        );
    };

    /** CloudFormation's request to the resource's function, run from its asset; the one response it PUT. */
    const drive = async (
      resource: CustomResource,
      requestType: "Create" | "Delete",
      overrides: Record<string, unknown> = {},
      physicalResourceId?: string,
    ): Promise<CfnResponse> => {
      const asset = s.assets.find((a) => a.logicalId === resource.serviceToken);
      if (!asset)
        throw new Error(`${resource.logicalId}: no asset for its function ${resource.serviceToken}`);
      const properties = resolve(
        { ...resource.properties, ...overrides },
        refs,
        resource.logicalId,
      ) as Record<string, unknown>;
      const request = customResourceRequest(
        resource,
        requestType,
        properties,
        responses.responseUrl,
        physicalResourceId,
      );
      const env: Record<string, string> = {
        AWS_REGION: REGION,
        AWS_DEFAULT_REGION: REGION,
        AWS_ACCESS_KEY_ID: s.harness.moto.credentials.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s.harness.moto.credentials.secretAccessKey,
        AWS_LAMBDA_FUNCTION_NAME: asset.logicalId,
        AWS_ENDPOINT_URL_S3: s.harness.moto.endpoint,
        AWS_ENDPOINT_URL_EC2: s.harness.moto.endpoint,
        AWS_ENDPOINT_URL_LAMBDA: s.harness.moto.endpoint,
        NODE_EXTRA_CA_CERTS: responses.caFile,
        SSL_CERT_FILE: responses.caFile,
      };
      for (const [name, value] of Object.entries(asset.environment)) {
        // The Lambda image's CA bundle path: here, the one file of trust this run has.
        if (name === "AWS_CA_BUNDLE") env[name] = responses.caFile;
        else
          env[name] = typeof value === "string" ? value : String(resolve(value.token, refs, asset.logicalId));
      }
      const functionLayers = (templateResources[asset.logicalId]?.Properties?.Layers ?? []) as unknown[];
      if (functionLayers.length > 1) throw new Error(`${asset.logicalId}: more than one layer`);
      let layer: string | undefined;
      if (functionLayers.length === 1) {
        const layerId = (functionLayers[0] as { Ref: string }).Ref;
        const content = templateResources[layerId]?.Properties?.Content as { S3Key: string };
        const zip = (await fileAsset(s.outdir, s.stackName, content.S3Key)).path;
        if (!layers.has(zip))
          layers.set(
            zip,
            extractLayer(zip).then((opt) => {
              cleanup.push(path.dirname(opt));
              return opt;
            }),
          );
        layer = await layers.get(zip);
      }
      const dir = await isolate(asset);
      cleanup.push(dir);
      const run = await invokeInRuntime(asset.runtime, dir, asset.handler, request, { env, layer });
      const answers = responses.responses(request.RequestId);
      if (answers.length !== 1 || run.code !== 0)
        throw new Error(
          `${resource.logicalId} ${requestType}: exit ${run.code}, ${answers.length} responses\n${run.errors.slice(-3000)}\n${run.output.slice(-3000)}`,
        );
      expect(answers[0]).toMatchObject({
        RequestId: request.RequestId,
        StackId: request.StackId,
        LogicalResourceId: resource.logicalId,
      });
      return answers[0]!;
    };

    it("they are the functions of the custom resources driven here", () => {
      const theirs = s.assets.filter(
        (a) => !a.environment.POWERTOOLS_SERVICE_NAME && !a.logicalId.startsWith("DatabaseMigrateFunction"),
      );
      const driven = new Set(resources.filter((r) => DRIVEN.includes(r.type)).map((r) => r.serviceToken));
      expect(theirs.map((a) => a.logicalId).sort()).toEqual([...driven].sort());
    });

    it("auto-delete-objects: Create succeeds and keeps the objects; Delete empties the bucket, every version", async () => {
      const resource = resourceOfType("Custom::S3AutoDeleteObjects", (r) =>
        JSON.stringify(r.properties).includes("StorageAipBucket"),
      );
      const bucketId = (resource.properties.BucketName as { Ref: string }).Ref;
      refs[bucketId] = "shipped-autodelete-aip";
      await bucketLike(bucketId, refs[bucketId]);
      for (const body of ["first", "second"])
        await s.harness.s3.send(
          new PutObjectCommand({ Bucket: refs[bucketId], Key: "aip/a.txt", Body: body }),
        );
      await s.harness.s3.send(new PutObjectCommand({ Bucket: refs[bucketId], Key: "aip/b.txt", Body: "b" }));
      const versions = async () =>
        (await s.harness.s3.send(new ListObjectVersionsCommand({ Bucket: refs[bucketId] }))).Versions ?? [];
      expect(await versions()).toHaveLength(3);

      const created = await drive(resource, "Create");
      expect(created).toMatchObject({ Status: "SUCCESS", PhysicalResourceId: created.RequestId });
      expect(await versions()).toHaveLength(3);

      const deleted = await drive(resource, "Delete", {}, created.PhysicalResourceId);
      expect(deleted).toMatchObject({ Status: "SUCCESS", PhysicalResourceId: created.PhysicalResourceId });
      expect(await versions()).toEqual([]);
    }, 60_000);

    it("auto-delete-objects: a bucket that lost its tags is reported FAILED and keeps its objects", async () => {
      const resource = resourceOfType("Custom::S3AutoDeleteObjects");
      await s.harness.s3.send(new CreateBucketCommand({ Bucket: "shipped-autodelete-untagged" }));
      await s.harness.s3.send(
        new PutObjectCommand({ Bucket: "shipped-autodelete-untagged", Key: "k", Body: "v" }),
      );
      const response = await drive(resource, "Delete", { BucketName: "shipped-autodelete-untagged" }, "p-1");
      expect(response).toMatchObject({ Status: "FAILED", PhysicalResourceId: "p-1" });
      expect(response.Reason).toMatch(/NoSuchTagSet|tag/i);
      const left = await s.harness.s3.send(
        new ListObjectsV2Command({ Bucket: "shipped-autodelete-untagged" }),
      );
      expect(left.KeyCount).toBe(1);
    }, 60_000);

    it("restrict-default-security-group: Create revokes the default group's rules, Delete restores them", async () => {
      const resource = resourceOfType("Custom::VpcRestrictDefaultSG");
      const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: "10.13.0.0/16" }));
      const describeDefault = async () =>
        (
          await ec2.send(
            new DescribeSecurityGroupsCommand({
              Filters: [
                { Name: "vpc-id", Values: [vpc.Vpc!.VpcId!] },
                { Name: "group-name", Values: ["default"] },
              ],
            }),
          )
        ).SecurityGroups![0]!;
      // AWS gives a VPC's default group an inbound rule from itself; moto's has none: added as AWS has it.
      const vpcDefault = await describeDefault();
      await ec2.send(
        new AuthorizeSecurityGroupIngressCommand({
          GroupId: vpcDefault.GroupId,
          IpPermissions: [
            { IpProtocol: "-1", UserIdGroupPairs: [{ GroupId: vpcDefault.GroupId, UserId: ACCOUNT }] },
          ],
        }),
      );
      const group = await describeDefault();
      refs[`${logicalIdOfType("AWS::EC2::VPC")}.DefaultSecurityGroup`] = group.GroupId!;
      const rules = (g: typeof group) => ({
        ingress: (g.IpPermissions ?? []).flatMap((p) =>
          (p.UserIdGroupPairs ?? []).map((u) => `${p.IpProtocol} ${u.GroupId}`),
        ),
        egress: (g.IpPermissionsEgress ?? []).flatMap((p) =>
          (p.IpRanges ?? []).map((r) => `${p.IpProtocol} ${r.CidrIp}`),
        ),
      });
      const defaults = { ingress: [`-1 ${group.GroupId}`], egress: ["-1 0.0.0.0/0"] };
      expect(rules(group)).toEqual(defaults);

      const created = await drive(resource, "Create");
      expect(created).toMatchObject({ Status: "SUCCESS", PhysicalResourceId: created.RequestId });
      expect(rules(await describeDefault())).toEqual({ ingress: [], egress: [] });

      const deleted = await drive(resource, "Delete", {}, created.PhysicalResourceId);
      expect(deleted).toMatchObject({ Status: "SUCCESS", PhysicalResourceId: created.PhysicalResourceId });
      expect(rules(await describeDefault())).toEqual(defaults);

      const missing = await drive(resource, "Create", { DefaultSecurityGroupId: "sg-0000000000000dead" });
      expect(missing).toMatchObject({ Status: "FAILED" });
      expect(missing.Reason).toMatch(/InvalidGroup.NotFound|sg-0000000000000dead/);
    }, 90_000);

    it("provider framework: onEvent invokes the bundled migrate function and answers with its result", async () => {
      const resource = resourceOfType("Custom::StepmaticaMigrations");
      const framework = s.assets.find((a) => a.logicalId === resource.serviceToken)!;
      const migrateArn = String(
        resolve(
          (framework.environment.USER_ON_EVENT_FUNCTION_ARN as { token: unknown }).token,
          refs,
          "onEvent",
        ),
      );
      const received: Array<Record<string, unknown>> = [];
      s.harness.moto.registerFunction(migrateArn, async (event) => {
        received.push(event as Record<string, unknown>);
        return s.migrate(event);
      });

      const created = await drive(resource, "Create");
      expect(created).toMatchObject({
        Status: "SUCCESS",
        PhysicalResourceId: "stepmatica-migrations-stepmatica",
        Data: { Applied: "" }, // the suite's first test has applied them
      });
      expect(received).toHaveLength(1);
      expect(received[0]).toMatchObject({
        RequestType: "Create",
        ResourceProperties: { MigrationsHash: resource.properties.MigrationsHash },
      });

      // A migrate function that fails (here: its cluster's ARN missing) fails the resource with its message.
      const clusterArn = process.env.DB_CLUSTER_ARN;
      delete process.env.DB_CLUSTER_ARN;
      try {
        const failed = await drive(resource, "Create");
        expect(failed).toMatchObject({ Status: "FAILED" });
        expect(failed.Reason).toContain("migrate: environment variable DB_CLUSTER_ARN is not set");
      } finally {
        process.env.DB_CLUSTER_ARN = clusterArn;
      }
    }, 60_000);

    it("bucket-deployment: Create copies the page's files, markers filled, into the site bucket", async () => {
      const resource = resourceOfType("Custom::CDKBucketDeployment");
      const siteId = (resource.properties.DestinationBucketName as { Ref: string }).Ref;
      refs[siteId] = "shipped-site";
      await bucketLike(siteId, refs[siteId]);
      const api = logicalIdOfType("AWS::ApiGatewayV2::Api");
      refs[`${api}.ApiEndpoint`] = `https://shipped.execute-api.${REGION}.amazonaws.com`;
      refs[`${logicalIdOfType("AWS::CloudFront::Distribution")}.DomainName`] = "dshipped.cloudfront.net";
      refs[logicalIdOfType("AWS::Cognito::UserPoolDomain")] = "stepmatica-shipped";
      refs[logicalIdOfType("AWS::Cognito::UserPoolClient")] = "shipped-client-id";
      const properties = resolve(resource.properties, refs, resource.logicalId) as {
        SourceBucketNames: string[];
        SourceObjectKeys: string[];
      };
      const assetBucket = properties.SourceBucketNames[0]!;
      await s.harness.s3.send(new CreateBucketCommand({ Bucket: assetBucket }));
      await publishFileAssets(s.harness.s3, s.outdir, s.stackName, assetBucket, properties.SourceObjectKeys);

      const created = await drive(resource, "Create");
      expect(created.Status, created.Reason).toBe("SUCCESS");
      expect(created.PhysicalResourceId).toMatch(/^aws\.cdk\.s3deployment\.[0-9a-f-]{36}$/);
      expect(created.Data).toMatchObject({ SourceObjectKeys: properties.SourceObjectKeys });

      const listed = await s.harness.s3.send(new ListObjectsV2Command({ Bucket: refs[siteId] }));
      const keys = (listed.Contents ?? []).map((o) => o.Key).sort();
      expect(keys).toEqual(expect.arrayContaining(["config.json", "index.html", "app.js", "style.css"]));
      const config = await (
        await s.harness.s3.send(new GetObjectCommand({ Bucket: refs[siteId], Key: "config.json" }))
      ).Body!.transformToString();
      expect(config).not.toContain("<<marker");
      expect(config).toContain(refs[`${api}.ApiEndpoint`]);
      expect(config).toContain("shipped-client-id");
      const index = await s.harness.s3.send(
        new HeadObjectCommand({ Bucket: refs[siteId], Key: "index.html" }),
      );
      expect(index.CacheControl).toBe("no-cache");

      const missing = await drive(resource, "Create", {
        DestinationBucketName: "shipped-site-that-does-not-exist",
      });
      expect(missing).toMatchObject({ Status: "FAILED" });
      // The layer's aws CLI ran and failed: the handler reports its command.
      expect(missing.Reason).toMatch(
        /\/opt\/awscli\/aws', 's3', 'sync'.*s3:\/\/shipped-site-that-does-not-exist\/.*non-zero exit status/,
      );
    }, 180_000);
  });
}
