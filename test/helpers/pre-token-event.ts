import type { PreTokenGenerationTriggerEvent } from "aws-lambda";

export const POOL_ID = "eu-west-2_Xq7bT2mLk";

export interface SignIn {
  /** The provider the user came through; absent: a local (username/password) account. */
  provider?: { name: string; type: "OIDC" | "SAML" };
  /** The custom:provider_groups value as Cognito stored it (absent: not mapped). */
  providerGroups?: string;
  /** The user's Cognito groups before the trigger. */
  cognitoGroups?: string[];
}

/**
 * A pre-token-generation event (version 1) as Cognito sends it after a hosted-UI sign-in: a
 * federated user has status EXTERNAL_PROVIDER, an `identities` JSON and Cognito's automatic
 * <pool id>_<provider> group; the response's claimsOverrideDetails is null until a trigger sets it.
 */
export function preTokenGenerationEvent(signIn: SignIn): PreTokenGenerationTriggerEvent {
  const { provider } = signIn;
  const userName = provider ? `${provider.name}_qDkP3x9vTtAbc0123456789` : "rita";
  const attributes: Record<string, string> = {
    sub: "4f2a6c1e-8d3b-4e7a-9c5f-0a1b2c3d4e5f",
    email: "rita@archive.example",
    "cognito:user_status": provider ? "EXTERNAL_PROVIDER" : "CONFIRMED",
  };
  if (provider)
    attributes.identities = JSON.stringify([
      {
        userId: "qDkP3x9vTtAbc0123456789",
        providerName: provider.name,
        providerType: provider.type,
        issuer: null,
        primary: "true",
        dateCreated: "1764806400000",
      },
    ]);
  if (signIn.providerGroups !== undefined) attributes["custom:provider_groups"] = signIn.providerGroups;
  return {
    version: "1",
    triggerSource: "TokenGeneration_HostedAuth",
    region: "eu-west-2",
    userPoolId: POOL_ID,
    userName,
    callerContext: { awsSdkVersion: "aws-sdk-unknown-unknown", clientId: "3n4b5urk1ft4fl3mg5e62d9ado" },
    request: {
      userAttributes: attributes,
      groupConfiguration: {
        groupsToOverride: signIn.cognitoGroups ?? (provider ? [`${POOL_ID}_${provider.name}`] : []),
        iamRolesToOverride: [],
        preferredRole: null as unknown as undefined,
      },
    },
    response: {
      claimsOverrideDetails:
        null as unknown as PreTokenGenerationTriggerEvent["response"]["claimsOverrideDetails"],
    },
  } as PreTokenGenerationTriggerEvent;
}

/** cognito:groups as API Gateway's JWT authorizer hands the claim to the function: "[a b c]". */
export const authorizerGroupsClaim = (groups: readonly string[]) => `[${groups.join(" ")}]`;
