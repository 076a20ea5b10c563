import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { App, Stack } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { Function as LambdaFunction } from "aws-cdk-lib/aws-lambda";
import { Bucket } from "aws-cdk-lib/aws-s3";
import type { IdentityProviderConfig } from "../../infra/config/identity-provider-schema.ts";
import { getStageConfig, type StageConfig } from "../../infra/config/index.ts";
import { Api } from "../../infra/constructs/api/index.ts";
import { cdkJsonContext } from "./synth.ts";

/** A stage's configuration with dashboard.identityProvider set (validated like any stage setting). */
export function configWithProvider(
  provider: IdentityProviderConfig | undefined,
  stage: "staging" | "production" = "staging",
): StageConfig {
  const base = getStageConfig(stage);
  return getStageConfig(stage, {
    dashboard: { ...base.dashboard, ...(provider ? { identityProvider: provider } : {}) },
  });
}

/**
 * The Api construct alone in a stack (the API function imported, the buckets stand-ins): seconds to
 * synthesize where the whole stack takes tens, for settings that only the sign-in reads. With
 * bundling, the trigger's asset is built into the outdir as `cdk synth` builds it.
 */
export async function synthesizeApi(config: StageConfig, options: { bundling?: boolean } = {}) {
  const outdir = await mkdtemp(path.join(tmpdir(), "stepmatica-api-"));
  const context: Record<string, unknown> = { ...cdkJsonContext() };
  if (!options.bundling) context["aws:cdk:bundling-stacks"] = [];
  const app = new App({ outdir, context });
  const stack = new Stack(app, "SignIn");
  const handler = LambdaFunction.fromFunctionAttributes(stack, "ApiFunction", {
    functionArn: `arn:aws:lambda:eu-west-2:123456789012:function:stepmatica-api`,
    sameEnvironment: true,
  });
  const api = new Api(stack, "Api", {
    config,
    handler,
    accessLogsBucket: new Bucket(stack, "AccessLogs"),
    uploadBucket: new Bucket(stack, "Uploads"),
  });
  app.synth();
  return { app, stack, api, outdir, template: Template.fromStack(stack) };
}

/** Group object ids as Entra ID sends them in the groups claim (made up, GUID-shaped). */
export const ENTRA_GROUPS = {
  archivists: "5f1c9a7e-2b44-4c1e-9f0a-3d2e8b7c6a51",
  preservationStaff: "a3d0e6b2-7c19-4f85-b2e4-9c61f0d4e7a8",
  everyone: "0b6e2f4a-9d13-4a7c-8e5f-1c2d3e4f5a6b",
} as const;

/** An Entra ID app registration as an OIDC provider (the worked example of infra/README.md). */
export const ENTRA_OIDC: IdentityProviderConfig = {
  name: "EntraID",
  protocol: {
    type: "oidc",
    issuerUrl: "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0",
    clientId: "6731de76-14a6-49ae-97bc-6eba6914391e",
    clientSecret: { secretsManager: "stepmatica/production/entra-client-secret" },
  },
  attributes: { email: "email", name: "name", preferredUsername: "preferred_username" },
  groups: {
    claim: "groups",
    readers: [ENTRA_GROUPS.archivists],
    operators: [ENTRA_GROUPS.preservationStaff],
  },
  localAccounts: false,
};

/** The same directory through an Entra ID enterprise application (SAML), local accounts kept. */
export function entraSaml(
  metadata: { metadataFile: string } | { metadataUrl: string },
): IdentityProviderConfig {
  return {
    name: "EntraSAML",
    protocol: { type: "saml", ...metadata },
    attributes: {
      email: "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
      name: "http://schemas.microsoft.com/identity/claims/displayname",
    },
    groups: {
      claim: "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups",
      readers: [ENTRA_GROUPS.archivists],
      operators: [ENTRA_GROUPS.preservationStaff],
    },
    localAccounts: true,
  };
}
