/**
 * The pre-token-generation trigger as it ships: the sign-in (Api construct) synthesized with an
 * Entra ID provider and bundling on, the trigger's asset copied alone out of cdk.out into an empty
 * folder, imported the way the Node.js runtime does with its template's environment, and driven with
 * pre-token-generation events. The tokens it shapes then pass the API's role check. (The stage
 * templates configure no provider, so the trigger is not among shipped.test.ts's functions.)
 */
import type { PreTokenGenerationTriggerEvent } from "aws-lambda";
import { beforeAll, describe, expect, it } from "vitest";
import { identityFromClaims } from "../../functions/dashboard/lambda-event.ts";
import { authorizerGroupsClaim, POOL_ID, preTokenGenerationEvent } from "../helpers/pre-token-event.ts";
import { configWithProvider, ENTRA_GROUPS, ENTRA_OIDC, synthesizeApi } from "../infra/api-stack.ts";
import { importHandler, isolate, type LambdaAsset, lambdaAssets } from "./artifacts.ts";

type Trigger = (event: PreTokenGenerationTriggerEvent) => Promise<PreTokenGenerationTriggerEvent>;
let asset: LambdaAsset;
let trigger: Trigger;

beforeAll(async () => {
  const { template, outdir } = await synthesizeApi(configWithProvider(ENTRA_OIDC, "production"), {
    bundling: true,
  });
  const ours = lambdaAssets(template, outdir).filter(
    (a) => a.environment.POWERTOOLS_SERVICE_NAME === "stepmatica-map-provider-groups",
  );
  expect(ours).toHaveLength(1);
  asset = ours[0]!;
  for (const [name, value] of Object.entries(asset.environment)) {
    if (typeof value !== "string")
      throw new Error(`${name} is a CloudFormation token: ${JSON.stringify(value)}`);
    process.env[name] = value;
  }
  trigger = await importHandler<Trigger>(await isolate(asset), asset.handler);
}, 300_000);

const entra = { name: "EntraID", type: "OIDC" } as const;
const apiRoles = (event: PreTokenGenerationTriggerEvent) => {
  const groups =
    event.response.claimsOverrideDetails?.groupOverrideDetails?.groupsToOverride ??
    event.request.groupConfiguration.groupsToOverride ??
    [];
  // The api function's mapping on a stage with a provider (READER_GROUP set; see identity-provider.test.ts).
  const claims = { sub: "s-1", "cognito:groups": authorizerGroupsClaim(groups) };
  return identityFromClaims(claims, { operatorGroup: "operators", readerGroup: "readers" })?.roles;
};

describe("map-provider-groups, loaded alone from cdk.out", () => {
  it("is the Node.js 24 bundle and handler the template names", () => {
    expect(asset.runtime).toBe("nodejs24.x");
    expect(asset.handler).toBe("index.handler");
  });

  it("an Entra ID operator group member gets readers and operators in cognito:groups; the API lets them act", async () => {
    const event = preTokenGenerationEvent({
      provider: entra,
      providerGroups: JSON.stringify([ENTRA_GROUPS.everyone, ENTRA_GROUPS.preservationStaff]),
    });
    const answer = await trigger(event);
    expect(answer.response.claimsOverrideDetails.groupOverrideDetails).toEqual({
      groupsToOverride: [`${POOL_ID}_EntraID`, "readers", "operators"],
    });
    expect(apiRoles(answer)).toEqual(["reader", "operator"]);
  });

  it("a reader group member reads; a member of neither gets Cognito's token unchanged and is refused", async () => {
    const reader = await trigger(
      preTokenGenerationEvent({ provider: entra, providerGroups: `[${ENTRA_GROUPS.archivists}]` }),
    );
    expect(apiRoles(reader)).toEqual(["reader"]);
    const outsider = await trigger(
      preTokenGenerationEvent({ provider: entra, providerGroups: `["${ENTRA_GROUPS.everyone}"]` }),
    );
    expect(outsider.response.claimsOverrideDetails).toBeNull();
    expect(apiRoles(outsider)).toEqual([]);
  });

  it("a local account that wrote the attribute itself gains nothing", async () => {
    const local = await trigger(preTokenGenerationEvent({ providerGroups: ENTRA_GROUPS.preservationStaff }));
    expect(local.response.claimsOverrideDetails).toBeNull();
  });
});
