/**
 * Sign-in through the archive's own identity provider (Entra ID and the like): Cognito records the
 * provider's group claim in a custom user attribute but never turns it into Cognito groups, so the
 * pre-token-generation trigger asks this module which of our groups (readers, operators) the
 * provider's groups grant, and puts them into the token's cognito:groups, which the API checks.
 */

/** Which provider groups (object ids or names, as the provider sends them) grant which of our groups. */
export interface ProviderGroupMapping {
  /** The Cognito name of the identity provider whose users this mapping applies to. */
  providerName: string;
  /** The user attribute Cognito writes the provider's group claim into (e.g. "custom:provider_groups"). */
  groupsAttribute: string;
  /** Provider groups whose members read. */
  readers: readonly string[];
  /** Provider groups whose members operate (and read). */
  operators: readonly string[];
  /** Our Cognito group names. */
  readerGroup: string;
  operatorGroup: string;
}

/**
 * The provider's groups as Cognito stored them in the attribute. An OIDC array claim arrives as JSON
 * (["a","b"]); a multi-valued SAML attribute as "[a, b]"; a single value as itself. Entra ID sends
 * group object ids (GUIDs), which contain neither commas nor brackets, so the split is unambiguous.
 */
export function parseProviderGroups(value: string | undefined): string[] {
  const text = value?.trim() ?? "";
  if (!text) return [];
  if (text.startsWith("[")) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) return unique(parsed.map((g) => String(g).trim()));
    } catch {
      // Not JSON: the bracketed, comma-separated form below.
    }
  }
  return unique(text.replace(/^\[|\]$/g, "").split(","));
}

function unique(groups: string[]): string[] {
  return [...new Set(groups.map((g) => g.trim()).filter(Boolean))];
}

/** Our groups the provider's groups grant: operators also read, so an operator gets both. */
export function grantedGroups(providerGroups: readonly string[], mapping: ProviderGroupMapping): string[] {
  const has = (listed: readonly string[]) => listed.some((g) => providerGroups.includes(g));
  const operator = has(mapping.operators);
  const granted: string[] = [];
  if (operator || has(mapping.readers)) granted.push(mapping.readerGroup);
  if (operator) granted.push(mapping.operatorGroup);
  return granted;
}

/** What the pre-token-generation event tells about the user (the parts this mapping reads). */
export interface TokenUser {
  userAttributes: Record<string, string | undefined>;
  /** The Cognito groups the user is a member of (the event's groupConfiguration.groupsToOverride). */
  cognitoGroups: readonly string[];
}

/**
 * Whether the user signed in through this provider. Only then is the groups attribute the provider's
 * word: a local account could write a custom attribute itself (UpdateUserAttributes), but Cognito
 * alone sets a user's status to EXTERNAL_PROVIDER and its `identities`.
 */
export function signedInThrough(user: TokenUser, providerName: string): boolean {
  const attributes = user.userAttributes;
  if (attributes["cognito:user_status"] !== "EXTERNAL_PROVIDER") return false;
  try {
    const identities: unknown = JSON.parse(attributes.identities ?? "[]");
    return (
      Array.isArray(identities) &&
      identities.some((i) => (i as { providerName?: unknown } | null)?.providerName === providerName)
    );
  } catch {
    return false;
  }
}

/**
 * The groups the token carries: the user's Cognito groups, plus, for a user of the provider, the
 * groups their provider groups grant. Null when nothing changes (the token keeps Cognito's groups).
 */
export function tokenGroups(user: TokenUser, mapping: ProviderGroupMapping): string[] | null {
  if (!signedInThrough(user, mapping.providerName)) return null;
  const fromProvider = grantedGroups(
    parseProviderGroups(user.userAttributes[mapping.groupsAttribute]),
    mapping,
  );
  const groups = [...new Set([...user.cognitoGroups, ...fromProvider])];
  return groups.length === user.cognitoGroups.length ? null : groups;
}
