import type { PreTokenGenerationTriggerEvent } from "aws-lambda";
import { type ProviderGroupMapping, tokenGroups } from "../core/provider-groups.ts";

/**
 * The user pool's pre-token-generation trigger (event version 1): for a user who signed in through
 * the archive's identity provider, adds the readers/operators groups their provider groups grant to
 * the token's cognito:groups (ID and access token), which the API's role check reads. Environment:
 * PROVIDER_NAME, PROVIDER_GROUPS_ATTRIBUTE, PROVIDER_READER_GROUPS and PROVIDER_OPERATOR_GROUPS
 * (JSON arrays of provider group ids), READER_GROUP, OPERATOR_GROUP.
 */

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`the map-provider-groups trigger needs the environment variable ${name}`);
  return value;
}

function groupList(env: NodeJS.ProcessEnv, name: string): string[] {
  const text = required(env, name);
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed) || !parsed.every((g) => typeof g === "string"))
    throw new Error(`the map-provider-groups trigger: ${name} must be a JSON array of strings, got ${text}`);
  return parsed;
}

export function mappingFromEnv(env: NodeJS.ProcessEnv = process.env): ProviderGroupMapping {
  return {
    providerName: required(env, "PROVIDER_NAME"),
    groupsAttribute: required(env, "PROVIDER_GROUPS_ATTRIBUTE"),
    readers: groupList(env, "PROVIDER_READER_GROUPS"),
    operators: groupList(env, "PROVIDER_OPERATOR_GROUPS"),
    readerGroup: required(env, "READER_GROUP"),
    operatorGroup: required(env, "OPERATOR_GROUP"),
  };
}

export function createMapProviderGroupsHandler(mapping: ProviderGroupMapping) {
  return async (event: PreTokenGenerationTriggerEvent): Promise<PreTokenGenerationTriggerEvent> => {
    const groups = tokenGroups(
      {
        userAttributes: event.request.userAttributes,
        cognitoGroups: event.request.groupConfiguration.groupsToOverride ?? [],
      },
      mapping,
    );
    if (groups) {
      // Who got which groups, without the provider's group list (it can be long and says who is in what).
      console.info(JSON.stringify({ message: "provider groups mapped", user: event.userName, groups }));
      // Our groups carry no IAM roles; a role Cognito reports is kept, a null one left out.
      const { iamRolesToOverride, preferredRole } = event.request.groupConfiguration;
      event.response.claimsOverrideDetails = {
        ...event.response.claimsOverrideDetails,
        groupOverrideDetails: {
          groupsToOverride: groups,
          ...(iamRolesToOverride?.length ? { iamRolesToOverride } : {}),
          ...(preferredRole ? { preferredRole } : {}),
        },
      };
    }
    return event;
  };
}

// Built on the first invocation and reused while the execution environment lives.
let mapProviderGroups: ReturnType<typeof createMapProviderGroupsHandler> | undefined;

export async function handler(
  event: PreTokenGenerationTriggerEvent,
): Promise<PreTokenGenerationTriggerEvent> {
  mapProviderGroups ??= createMapProviderGroupsHandler(mappingFromEnv());
  return mapProviderGroups(event);
}
