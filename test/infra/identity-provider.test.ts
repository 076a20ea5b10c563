import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { App } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import { beforeAll, describe, expect, it } from "vitest";
import { StageConfigError } from "../../infra/config/index.ts";
import { idleCost } from "../../infra/cost/idle.ts";
import type { CfnTemplate } from "../../infra/cost/template.ts";
import { StepmaticaStack } from "../../infra/stacks/stepmatica-stack.ts";
import { configWithProvider, ENTRA_GROUPS, ENTRA_OIDC, entraSaml, synthesizeApi } from "./api-stack.ts";
import { cdkJsonContext } from "./synth.ts";
import { arnOf, ref } from "./template-fixture.ts";
import { only, prop, resourcesOf } from "./template-queries.ts";

/** The page's config.json as the deployment stages it (second source of the site's BucketDeployment). */
function pageConfig(template: Template, outdir: string): { auth: Record<string, string> } {
  const keys = prop<string[]>(
    only(template, "Custom::CDKBucketDeployment", "ApiSitePage")[1],
    "SourceObjectKeys",
  );
  const dir = path.join(outdir, `asset.${keys[1]!.replace(/\.zip$/, "")}`);
  return JSON.parse(readFileSync(path.join(dir, "config.json"), "utf8"));
}

const variables = (template: Template, idPrefix: string) =>
  prop<{ Variables: Record<string, string> }>(
    only(template, "AWS::Lambda::Function", idPrefix)[1],
    "Environment",
  ).Variables;

describe("dashboard.identityProvider: the stage setting", () => {
  const invalid = (provider: unknown) => () => configWithProvider(provider as typeof ENTRA_OIDC);

  it("accepts the Entra ID OIDC and SAML examples", () => {
    expect(configWithProvider(ENTRA_OIDC).dashboard.identityProvider?.name).toBe("EntraID");
    const saml = entraSaml({
      metadataUrl: "https://login.microsoftonline.com/t/federationmetadata/2007-06/federationmetadata.xml",
    });
    expect(configWithProvider(saml).dashboard.identityProvider?.protocol.type).toBe("saml");
  });

  it("refuses a client secret written into the configuration, saying where it belongs", () => {
    const plain = { ...ENTRA_OIDC, protocol: { ...ENTRA_OIDC.protocol, clientSecret: "s3cr3t~value" } };
    expect(invalid(plain)).toThrow(StageConfigError);
    expect(invalid(plain)).toThrow(
      /dashboard\.identityProvider\.protocol\.clientSecret: the client secret is read from Secrets Manager/,
    );
  });

  it("names what an incomplete or wrong setting lacks", () => {
    const { clientId: _, ...noClient } = ENTRA_OIDC.protocol as Extract<
      typeof ENTRA_OIDC.protocol,
      { type: "oidc" }
    >;
    expect(invalid({ ...ENTRA_OIDC, protocol: noClient })).toThrow(/identityProvider\.protocol\.clientId/);
    expect(invalid({ ...ENTRA_OIDC, protocol: { ...ENTRA_OIDC.protocol, issuerUrl: "http://idp" } })).toThrow(
      /protocol\.issuerUrl: an https:\/\/ URL/,
    );
    expect(invalid({ ...ENTRA_OIDC, protocol: { ...ENTRA_OIDC.protocol, scopes: ["email"] } })).toThrow(
      /protocol\.scopes: must include "openid"/,
    );
    expect(invalid({ ...ENTRA_OIDC, protocol: { type: "ldap" } })).toThrow(
      /protocol\.type: type must be "oidc" or "saml"/,
    );
    expect(invalid({ ...ENTRA_OIDC, groups: { claim: "groups", readers: [], operators: [] } })).toThrow(
      /identityProvider\.groups: map at least one provider group/,
    );
    const { localAccounts: __, ...unsaid } = ENTRA_OIDC;
    expect(invalid(unsaid)).toThrow(/identityProvider\.localAccounts/);
    expect(invalid({ ...ENTRA_OIDC, name: "Entra_ID" })).toThrow(/identityProvider\.name: 3 to 32 letters/);
    expect(invalid(entraSaml({ metadataFile: "no/such/metadata.xml" }))).toThrow(
      /protocol\.metadataFile: no such file/,
    );
    const both = entraSaml({ metadataUrl: "https://idp.example/metadata.xml" });
    expect(invalid({ ...both, protocol: { ...both.protocol, metadataFile: "package.json" } })).toThrow(
      /protocol: give exactly one of metadataUrl or metadataFile/,
    );
  });
});

describe("the default: local accounts only", () => {
  let template: Template;
  beforeAll(async () => {
    template = (await synthesizeApi(configWithProvider(undefined))).template;
  });

  it("no identity provider, no trigger, no readers group; the client signs in with Cognito accounts (SRP)", () => {
    expect(resourcesOf(template, "AWS::Cognito::UserPoolIdentityProvider")).toEqual({});
    expect(Object.keys(resourcesOf(template, "AWS::Lambda::Permission")).join()).not.toMatch(
      /PreTokenGeneration/,
    );
    const [, pool] = only(template, "AWS::Cognito::UserPool", "ApiUsers");
    expect(pool.Properties?.LambdaConfig).toBeUndefined();
    expect(pool.Properties?.Schema).toBeUndefined();
    const groups = Object.values(resourcesOf(template, "AWS::Cognito::UserPoolGroup"));
    expect(groups.map((g) => g.Properties?.GroupName)).toEqual(["operators"]);
    const [, client] = only(template, "AWS::Cognito::UserPoolClient", "ApiUsersDashboard");
    expect(client.Properties?.SupportedIdentityProviders).toEqual(["COGNITO"]);
    expect(client.Properties?.ExplicitAuthFlows).toEqual(
      expect.arrayContaining(["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]),
    );
  });
});

describe("OIDC (Entra ID app registration), provider only: the whole stack", () => {
  let app: App;
  let template: Template;
  beforeAll(() => {
    const context = { ...cdkJsonContext(), "aws:cdk:bundling-stacks": [] };
    app = new App({ outdir: mkdtempSync(path.join(tmpdir(), "stepmatica-oidc-")), context });
    const stack = new StepmaticaStack(app, "Federated", {
      config: configWithProvider(ENTRA_OIDC, "production"),
    });
    template = Template.fromStack(stack);
    app.synth();
  });

  it("the provider: Entra's issuer and client, the secret resolved from Secrets Manager at deploy time", () => {
    const [poolId] = only(template, "AWS::Cognito::UserPool", "ApiUsers");
    const [, idp] = only(template, "AWS::Cognito::UserPoolIdentityProvider", "ApiFederationOidc");
    expect(idp.Properties).toEqual({
      UserPoolId: ref(poolId),
      ProviderName: "EntraID",
      ProviderType: "OIDC",
      ProviderDetails: {
        oidc_issuer: "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0",
        client_id: "6731de76-14a6-49ae-97bc-6eba6914391e",
        client_secret: "{{resolve:secretsmanager:stepmatica/production/entra-client-secret:SecretString:::}}",
        authorize_scopes: "openid email profile",
        attributes_request_method: "GET",
      },
      AttributeMapping: {
        email: "email",
        name: "name",
        preferred_username: "preferred_username",
        "custom:provider_groups": "groups",
      },
    });
    // The groups land in a mutable custom attribute long enough for a few dozen object ids.
    const [, pool] = only(template, "AWS::Cognito::UserPool", "ApiUsers");
    expect(pool.Properties?.Schema).toEqual([
      {
        Name: "provider_groups",
        AttributeDataType: "String",
        Mutable: true,
        StringAttributeConstraints: { MaxLength: "2048" },
      },
    ]);
  });

  it("the dashboard client offers the provider only (no SRP sign-in); the page goes straight to it", () => {
    const [idpId] = only(template, "AWS::Cognito::UserPoolIdentityProvider", "ApiFederationOidc");
    const [, client] = only(template, "AWS::Cognito::UserPoolClient", "ApiUsersDashboard");
    expect(client.Properties?.SupportedIdentityProviders).toEqual([ref(idpId)]);
    expect(client.Properties?.ExplicitAuthFlows).toEqual(["ALLOW_REFRESH_TOKEN_AUTH"]);
    expect(client.Properties?.AllowedOAuthFlows).toEqual(["code"]);
    expect(pageConfig(template, app.outdir).auth.identityProvider).toBe("EntraID");
  });

  it("the pre-token-generation trigger maps the provider's groups; the API then requires readers", () => {
    const [poolId, pool] = only(template, "AWS::Cognito::UserPool", "ApiUsers");
    const [triggerId, trigger] = only(template, "AWS::Lambda::Function", "ApiFederationMapProviderGroups");
    expect(pool.Properties?.LambdaConfig).toEqual({ PreTokenGeneration: arnOf(triggerId) });
    const [, permission] = only(template, "AWS::Lambda::Permission", "ApiUsersPreTokenGeneration");
    expect(permission.Properties).toEqual({
      Action: "lambda:InvokeFunction",
      FunctionName: arnOf(triggerId),
      Principal: "cognito-idp.amazonaws.com",
      SourceArn: arnOf(poolId),
    });
    expect(variables(template, "ApiFederationMapProviderGroups")).toMatchObject({
      PROVIDER_NAME: "EntraID",
      PROVIDER_GROUPS_ATTRIBUTE: "custom:provider_groups",
      PROVIDER_READER_GROUPS: JSON.stringify([ENTRA_GROUPS.archivists]),
      PROVIDER_OPERATOR_GROUPS: JSON.stringify([ENTRA_GROUPS.preservationStaff]),
      READER_GROUP: "readers",
      OPERATOR_GROUP: "operators",
    });
    expect(trigger.Properties?.VpcConfig).toBeUndefined(); // it calls nothing; Cognito waits at most 5 s
    expect(trigger.Properties?.Timeout).toBeLessThanOrEqual(5);
    expect(trigger.Properties?.TracingConfig).toEqual({ Mode: "Active" }); // production traces
    const groups = Object.values(resourcesOf(template, "AWS::Cognito::UserPoolGroup"));
    expect(groups.map((g) => g.Properties?.GroupName).sort()).toEqual(["operators", "readers"]);
    expect(variables(template, "FunctionsApiFunction")).toMatchObject({
      OPERATOR_GROUP: "operators",
      READER_GROUP: "readers",
    });
  });

  it("outputs the redirect URI to register with Entra ID: the Cognito domain's /oauth2/idpresponse", () => {
    const [domainId] = only(template, "AWS::Cognito::UserPoolDomain", "ApiUsersDomain");
    expect(JSON.stringify(template.findOutputs("IdentityProviderRedirectUrl"))).toContain(
      `{"Ref":"${domainId}"},".auth.",{"Ref":"AWS::Region"},".amazoncognito.com/oauth2/idpresponse"`,
    );
    expect(template.findOutputs("SamlEntityId")).toEqual({});
  });

  it("cdk-nag finds nothing unacknowledged, and the idle cost prices every resource", () => {
    const report = new AwsSolutionsChecks().validateScope(app);
    const findings = report.violations.flatMap((v) =>
      v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath}`),
    );
    expect(findings).toEqual([]);
    expect(() => idleCost((template.toJSON() as CfnTemplate).Resources)).not.toThrow();
  });
});

describe("SAML (Entra ID enterprise application), local accounts kept", () => {
  let template: Template;
  let outdir: string;
  beforeAll(async () => {
    // Federation metadata as Entra ID serves it, trimmed to what Cognito reads.
    const metadataFile = path.join(mkdtempSync(path.join(tmpdir(), "stepmatica-saml-")), "entra.xml");
    writeFileSync(
      metadataFile,
      `<?xml version="1.0" encoding="utf-8"?><EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://sts.windows.net/9188040d-6c67-4c5b-b112-36a304b66dad/"><IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/saml2"/></IDPSSODescriptor></EntityDescriptor>`,
    );
    ({ template, outdir } = await synthesizeApi(configWithProvider(entraSaml({ metadataFile }))));
  });

  it("the provider carries the metadata file and maps Entra's group and e-mail claims", () => {
    const [, idp] = only(template, "AWS::Cognito::UserPoolIdentityProvider", "ApiFederationSaml");
    expect(idp.Properties).toMatchObject({
      ProviderName: "EntraSAML",
      ProviderType: "SAML",
      ProviderDetails: {
        MetadataFile: expect.stringContaining('entityID="https://sts.windows.net/9188040d-'),
        IDPSignout: false,
      },
      AttributeMapping: {
        email: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
        name: "http://schemas.microsoft.com/identity/claims/displayname",
        "custom:provider_groups": "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
      },
    });
  });

  it("the client offers Cognito accounts and the provider; the trigger maps the same groups", () => {
    const [idpId] = only(template, "AWS::Cognito::UserPoolIdentityProvider", "ApiFederationSaml");
    const [clientId, client] = only(template, "AWS::Cognito::UserPoolClient", "ApiUsersDashboard");
    expect(client.Properties?.SupportedIdentityProviders).toEqual(["COGNITO", ref(idpId)]);
    expect(client.Properties?.ExplicitAuthFlows).toContain("ALLOW_USER_SRP_AUTH");
    expect(template.toJSON().Resources[clientId].DependsOn).toContain(idpId);
    const [triggerId] = only(template, "AWS::Lambda::Function", "ApiFederationMapProviderGroups");
    const [, pool] = only(template, "AWS::Cognito::UserPool", "ApiUsers");
    expect(pool.Properties?.LambdaConfig).toEqual({ PreTokenGeneration: arnOf(triggerId) });
    expect(variables(template, "ApiFederationMapProviderGroups")).toMatchObject({
      PROVIDER_NAME: "EntraSAML",
      PROVIDER_OPERATOR_GROUPS: JSON.stringify([ENTRA_GROUPS.preservationStaff]),
    });
    expect(pageConfig(template, outdir).auth).not.toHaveProperty("identityProvider");
  });
});
