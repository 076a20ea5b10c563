import { describe, expect, it } from "vitest";
import {
  grantedGroups,
  type ProviderGroupMapping,
  parseProviderGroups,
  tokenGroups,
} from "../../../functions/core/provider-groups.ts";
import { identityFromClaims } from "../../../functions/dashboard/lambda-event.ts";
import {
  createMapProviderGroupsHandler,
  mappingFromEnv,
} from "../../../functions/handlers/map-provider-groups.ts";
import { authorizerGroupsClaim, POOL_ID, preTokenGenerationEvent } from "../../helpers/pre-token-event.ts";

const ARCHIVISTS = "5f1c9a7e-2b44-4c1e-9f0a-3d2e8b7c6a51";
const PRESERVATION = "a3d0e6b2-7c19-4f85-b2e4-9c61f0d4e7a8";
const EVERYONE = "0b6e2f4a-9d13-4a7c-8e5f-1c2d3e4f5a6b";

const mapping: ProviderGroupMapping = {
  providerName: "EntraID",
  groupsAttribute: "custom:provider_groups",
  readers: [ARCHIVISTS],
  operators: [PRESERVATION],
  readerGroup: "readers",
  operatorGroup: "operators",
};
const entra = { name: "EntraID", type: "OIDC" } as const;
const AUTO_GROUP = `${POOL_ID}_EntraID`;

describe("parseProviderGroups: the group claim as Cognito stores it in the custom attribute", () => {
  it("reads a JSON array (OIDC), the bracketed list (SAML multi-value), a single value and nothing", () => {
    expect(parseProviderGroups(`["${ARCHIVISTS}","${EVERYONE}"]`)).toEqual([ARCHIVISTS, EVERYONE]);
    expect(parseProviderGroups(`[${ARCHIVISTS}, ${PRESERVATION}]`)).toEqual([ARCHIVISTS, PRESERVATION]);
    expect(parseProviderGroups(ARCHIVISTS)).toEqual([ARCHIVISTS]);
    expect(parseProviderGroups(`${ARCHIVISTS},${ARCHIVISTS}`)).toEqual([ARCHIVISTS]);
    expect(parseProviderGroups("[]")).toEqual([]);
    expect(parseProviderGroups("")).toEqual([]);
    expect(parseProviderGroups(undefined)).toEqual([]);
  });
});

describe("grantedGroups", () => {
  it("readers read; operators operate and read; other groups grant nothing", () => {
    expect(grantedGroups([EVERYONE, ARCHIVISTS], mapping)).toEqual(["readers"]);
    expect(grantedGroups([PRESERVATION], mapping)).toEqual(["readers", "operators"]);
    expect(grantedGroups([EVERYONE], mapping)).toEqual([]);
    // A group's name that merely contains a mapped id is not that group.
    expect(grantedGroups([`${ARCHIVISTS}-old`], mapping)).toEqual([]);
  });
});

describe("tokenGroups: what the token's cognito:groups becomes", () => {
  it("a provider user keeps Cognito's groups and gains the mapped ones", () => {
    const user = (providerGroups: string) => {
      const event = preTokenGenerationEvent({ provider: entra, providerGroups });
      return {
        userAttributes: event.request.userAttributes,
        cognitoGroups: event.request.groupConfiguration.groupsToOverride!,
      };
    };
    expect(tokenGroups(user(`["${PRESERVATION}"]`), mapping)).toEqual([AUTO_GROUP, "readers", "operators"]);
    expect(tokenGroups(user(`["${EVERYONE}"]`), mapping)).toBeNull();
  });

  it("a local account's own custom attribute grants nothing (it could have written it itself)", () => {
    const event = preTokenGenerationEvent({ providerGroups: `["${PRESERVATION}"]` });
    const user = { userAttributes: event.request.userAttributes, cognitoGroups: [] };
    expect(tokenGroups(user, mapping)).toBeNull();
    // Nor does a user of another provider, or a forged identities value.
    const other = preTokenGenerationEvent({
      provider: { name: "Google", type: "OIDC" },
      providerGroups: PRESERVATION,
    });
    expect(
      tokenGroups({ userAttributes: other.request.userAttributes, cognitoGroups: [] }, mapping),
    ).toBeNull();
    const forged = { ...event.request.userAttributes, identities: "not json" };
    expect(
      tokenGroups(
        { userAttributes: { ...forged, "cognito:user_status": "EXTERNAL_PROVIDER" }, cognitoGroups: [] },
        mapping,
      ),
    ).toBeNull();
  });
});

describe("the map-provider-groups handler, then the API's role check", () => {
  const env = {
    PROVIDER_NAME: "EntraID",
    PROVIDER_GROUPS_ATTRIBUTE: "custom:provider_groups",
    PROVIDER_READER_GROUPS: JSON.stringify([ARCHIVISTS]),
    PROVIDER_OPERATOR_GROUPS: JSON.stringify([PRESERVATION]),
    READER_GROUP: "readers",
    OPERATOR_GROUP: "operators",
  };
  const handle = createMapProviderGroupsHandler(mappingFromEnv(env));
  const roles = { operatorGroup: "operators", readerGroup: "readers" };

  /** The roles the API grants the token the trigger shaped (as the JWT authorizer presents it). */
  const apiRoles = (event: ReturnType<typeof preTokenGenerationEvent>) => {
    const groups =
      event.response.claimsOverrideDetails?.groupOverrideDetails?.groupsToOverride ??
      event.request.groupConfiguration.groupsToOverride ??
      [];
    return identityFromClaims({ sub: "s-1", "cognito:groups": authorizerGroupsClaim(groups) }, roles)?.roles;
  };

  it("an Entra operator group member operates; a reader group member reads; anyone else is refused", async () => {
    const operator = await handle(
      preTokenGenerationEvent({ provider: entra, providerGroups: `["${PRESERVATION}"]` }),
    );
    expect(operator.response.claimsOverrideDetails.groupOverrideDetails).toEqual({
      groupsToOverride: [AUTO_GROUP, "readers", "operators"],
    });
    expect(apiRoles(operator)).toEqual(["reader", "operator"]);
    const reader = await handle(
      preTokenGenerationEvent({ provider: entra, providerGroups: `[${EVERYONE}, ${ARCHIVISTS}]` }),
    );
    expect(apiRoles(reader)).toEqual(["reader"]);
    const outsider = await handle(
      preTokenGenerationEvent({ provider: entra, providerGroups: `["${EVERYONE}"]` }),
    );
    expect(outsider.response.claimsOverrideDetails).toBeNull(); // the token is Cognito's own
    expect(apiRoles(outsider)).toEqual([]);
  });

  it("a local account keeps the groups an administrator gave it", async () => {
    const local = await handle(
      preTokenGenerationEvent({ cognitoGroups: ["readers"], providerGroups: PRESERVATION }),
    );
    expect(local.response.claimsOverrideDetails).toBeNull();
    expect(apiRoles(local)).toEqual(["reader"]);
  });

  it("a missing or malformed mapping fails the cold start, naming the variable", () => {
    const { PROVIDER_NAME: _, ...noName } = env;
    expect(() => mappingFromEnv(noName)).toThrow(/needs the environment variable PROVIDER_NAME/);
    expect(() => mappingFromEnv({ ...env, PROVIDER_OPERATOR_GROUPS: '{"a":1}' })).toThrow(
      /PROVIDER_OPERATOR_GROUPS must be a JSON array of strings/,
    );
  });
});
