import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { STAGE_NAMES } from "../../infra/config/index.ts";
import { corsOrigins } from "../../infra/constructs/api/index.ts";
import { arnOf, ref, useTemplates } from "./template-fixture.ts";
import { only, prop, resourcesOf, type Statement } from "./template-queries.ts";

const { synth, t } = useTemplates();

/** https://<distribution domain> (and with a trailing "/"), as CloudFormation renders them. */
const siteOrigin = (distributionId: string, suffix = "") => ({
  "Fn::Join": [
    "",
    ["https://", { "Fn::GetAtt": [distributionId, "DomainName"] }, ...(suffix ? [suffix] : [])],
  ],
});

describe.each(STAGE_NAMES)("%s template: the dashboard page on S3 + CloudFront", (stage) => {
  const distribution = () => only(t(stage), "AWS::CloudFront::Distribution", "ApiSiteDistribution");

  it("the site bucket is private, encrypted, TLS-only and access-logged; only the distribution reads it (OAC)", () => {
    const [bucketId, bucket] = only(t(stage), "AWS::S3::Bucket", "ApiSiteBucket");
    const [logsId] = only(t(stage), "AWS::S3::Bucket", "StorageAccessLogsBucket");
    const [distributionId] = distribution();
    expect(bucket.Properties).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: expect.any(Object) }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      LoggingConfiguration: { DestinationBucketName: ref(logsId) },
    });
    expect(bucket.Properties?.WebsiteConfiguration).toBeUndefined();
    const [, policy] = only(t(stage), "AWS::S3::BucketPolicy", "ApiSiteBucketPolicy");
    const statements = prop<{ Statement: Statement[] }>(policy, "PolicyDocument").Statement as Array<
      Statement & { Principal?: unknown }
    >;
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: "Deny",
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      }),
    );
    const reads = statements.filter(
      (s) => s.Effect === "Allow" && JSON.stringify(s.Action).includes("s3:GetObject"),
    );
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatchObject({ Principal: { Service: "cloudfront.amazonaws.com" } });
    expect(JSON.stringify(reads[0]!.Condition)).toContain(`"Ref":"${distributionId}"`);
    expect(JSON.stringify(reads[0]!.Resource)).toContain(bucketId);
  });

  it("the distribution: OAC origin, index.html at the root, HTTPS only, security headers, logged", () => {
    const [, dist] = distribution();
    const [oacId] = only(t(stage), "AWS::CloudFront::OriginAccessControl", "ApiSiteDistribution");
    const [headersId] = only(t(stage), "AWS::CloudFront::ResponseHeadersPolicy", "ApiSiteSecurityHeaders");
    const [cdnLogsId, cdnLogs] = only(t(stage), "AWS::S3::Bucket", "ApiSiteCdnLogs");
    const config = prop<Record<string, unknown>>(dist, "DistributionConfig");
    expect(config).toMatchObject({
      DefaultRootObject: "index.html",
      DefaultCacheBehavior: {
        ViewerProtocolPolicy: "https-only",
        AllowedMethods: ["GET", "HEAD"],
        ResponseHeadersPolicyId: ref(headersId),
      },
      Origins: [expect.objectContaining({ OriginAccessControlId: { "Fn::GetAtt": [oacId, "Id"] } })],
      Logging: { Bucket: { "Fn::GetAtt": [cdnLogsId, "RegionalDomainName"] } },
    });
    // CloudFront's standard logs need ACLs on their bucket; it is still private and encrypted.
    expect(cdnLogs.Properties).toMatchObject({
      PublicAccessBlockConfiguration: expect.objectContaining({ BlockPublicAcls: true }),
      BucketEncryption: expect.any(Object),
      LoggingConfiguration: expect.any(Object),
    });
  });

  it("the response headers: a strict CSP naming the sign-in domain and the API, HSTS, no referrer, no framing", () => {
    const [, policy] = only(t(stage), "AWS::CloudFront::ResponseHeadersPolicy", "ApiSiteSecurityHeaders");
    const [domainId] = only(t(stage), "AWS::Cognito::UserPoolDomain", "ApiUsersDomain");
    const headers = prop<{ SecurityHeadersConfig: Record<string, Record<string, unknown>> }>(
      policy,
      "ResponseHeadersPolicyConfig",
    ).SecurityHeadersConfig;
    const csp = JSON.stringify(headers.ContentSecurityPolicy!.ContentSecurityPolicy);
    for (const directive of [
      "default-src 'self'",
      "script-src 'self';",
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
    ])
      expect(csp).toContain(directive);
    expect(csp).not.toMatch(/unsafe-(inline|eval)/);
    expect(csp).toContain(`connect-src 'self' https://",{"Ref":"${domainId}"},".auth.`);
    // The API and S3 (presigned uploads) by regional endpoint: naming their ids would be a dependency cycle.
    expect(csp).toContain(' https://*.execute-api.",{"Ref":"AWS::Region"}');
    expect(csp).toContain(' https://*.s3.",{"Ref":"AWS::Region"}');
    expect(headers.ContentSecurityPolicy!.Override).toBe(true);
    expect(headers.StrictTransportSecurity).toMatchObject({ Override: true, IncludeSubdomains: true });
    expect(headers.StrictTransportSecurity!.AccessControlMaxAgeSec).toBeGreaterThanOrEqual(31_536_000);
    expect(headers.ReferrerPolicy).toMatchObject({ ReferrerPolicy: "no-referrer", Override: true });
    expect(headers.FrameOptions).toMatchObject({ FrameOption: "DENY" });
    expect(headers.ContentTypeOptions).toMatchObject({ Override: true });
  });

  it("the page and a config.json naming the API, the sign-in domain and client, and the site itself are deployed", async () => {
    const [bucketId] = only(t(stage), "AWS::S3::Bucket", "ApiSiteBucket");
    const [distributionId] = distribution();
    const [apiId] = only(t(stage), "AWS::ApiGatewayV2::Api", "ApiHttpApi");
    const [domainId] = only(t(stage), "AWS::Cognito::UserPoolDomain", "ApiUsersDomain");
    const [clientId] = only(t(stage), "AWS::Cognito::UserPoolClient", "ApiUsersDashboard");
    const [, deployment] = only(t(stage), "Custom::CDKBucketDeployment", "ApiSitePage");
    expect(deployment.Properties).toMatchObject({
      DestinationBucketName: ref(bucketId),
      Prune: true,
      SystemMetadata: { "cache-control": "no-cache" },
    });
    const keys = prop<string[]>(deployment, "SourceObjectKeys");
    expect(keys).toHaveLength(2);
    const markers = Object.values(prop<Array<Record<string, unknown>>>(deployment, "SourceMarkers")[1]!);
    expect(markers).toEqual(
      expect.arrayContaining([
        { "Fn::GetAtt": [apiId, "ApiEndpoint"] },
        ref(domainId),
        ref(clientId),
        { "Fn::GetAtt": [distributionId, "DomainName"] },
      ]),
    );
    // The staged sources: the web folder as it is, and config.json with the deploy-time markers.
    const outdir = synth().outdir;
    const staged = async (zipKey: string) => path.join(outdir, `asset.${zipKey.replace(/\.zip$/, "")}`);
    const page = await readdir(await staged(keys[0]!));
    expect(page).toEqual(expect.arrayContaining(["index.html", "app.js", "auth.js", "style.css"]));
    const config = JSON.parse(await readFile(path.join(await staged(keys[1]!), "config.json"), "utf8")) as {
      apiBase: string;
      auth: Record<string, string>;
    };
    expect(config.apiBase).toMatch(/^<<marker:0xbaba:\d+>>$/);
    expect(config.auth.domain).toMatch(
      /^https:\/\/<<marker:0xbaba:\d+>>\.auth\.<<marker:0xbaba:\d+>>\.amazoncognito\.com$/,
    );
    expect(config.auth.clientId).toMatch(/^<<marker:0xbaba:\d+>>$/);
    expect(config.auth.redirectUri).toMatch(/^https:\/\/<<marker:0xbaba:\d+>>\/$/);
  });

  it("the sign-in client returns to the site (and the configured local page); the API and uploads allow its origin", () => {
    const [distributionId] = distribution();
    const [, client] = only(t(stage), "AWS::Cognito::UserPoolClient", "ApiUsersDashboard");
    const expected = [siteOrigin(distributionId, "/"), "http://localhost:8080/"];
    expect(client.Properties?.CallbackURLs).toEqual(expected);
    expect(client.Properties?.LogoutURLs).toEqual(expected);
    const [, api] = only(t(stage), "AWS::ApiGatewayV2::Api", "ApiHttpApi");
    expect(prop<{ AllowOrigins: unknown[] }>(api, "CorsConfiguration").AllowOrigins).toEqual([
      siteOrigin(distributionId),
      "http://localhost:8080",
    ]);
    const [, transfers] = only(t(stage), "AWS::S3::Bucket", "StorageTransferBucket");
    expect(prop<{ CorsRules: unknown[] }>(transfers, "CorsConfiguration").CorsRules).toEqual([
      expect.objectContaining({ AllowedMethods: ["PUT"], AllowedOrigins: [siteOrigin(distributionId)] }),
    ]);
  });

  it("outputs DashboardUrl, the site's address", () => {
    const [distributionId] = distribution();
    expect(t(stage).findOutputs("DashboardUrl").DashboardUrl).toMatchObject({
      Value: siteOrigin(distributionId, "/"),
    });
  });

  it("the deployment function writes only to the site bucket and reads only CDK's asset bucket", () => {
    const [bucketId] = only(t(stage), "AWS::S3::Bucket", "ApiSiteBucket");
    const policies = Object.entries(resourcesOf(t(stage), "AWS::IAM::Policy")).filter(([id]) =>
      id.startsWith("CustomCDKBucketDeployment"),
    );
    expect(policies).toHaveLength(1);
    const statements = prop<{ Statement: Statement[] }>(policies[0]![1], "PolicyDocument").Statement;
    for (const s of statements) {
      const resources = JSON.stringify(s.Resource);
      const writes = JSON.stringify(s.Action).match(/s3:(Put|Delete)/);
      if (writes)
        expect(resources).toBe(
          JSON.stringify([arnOf(bucketId), { "Fn::Join": ["", [arnOf(bucketId), "/*"]] }]),
        );
      else expect(resources).toMatch(/cdk-hnb659fds-assets|ApiSiteBucket/);
    }
  });
});

describe("corsOrigins", () => {
  it("puts the site first, keeps configured origins, lets '*' stand alone", () => {
    expect(corsOrigins(["http://localhost:8080"], "https://d1.cloudfront.net")).toEqual([
      "https://d1.cloudfront.net",
      "http://localhost:8080",
    ]);
    expect(corsOrigins(["*", "http://localhost:8080"], "https://d1.cloudfront.net")).toEqual(["*"]);
  });
});
