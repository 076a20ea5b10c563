import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { z } from "zod";

/**
 * Sign-in with the archive's own identity provider (issue 18): Cognito federates an OIDC or SAML
 * provider (Microsoft Entra ID is the worked example in infra/README.md), the provider's groups are
 * mapped to our readers and operators, and local Cognito accounts stay possible or are switched off.
 * Kept apart from schema.ts so the keys of this concern read in one place.
 */

/** Relative metadata file paths are read from the repository root (where `cdk` runs). */
const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

const https = z.url({ protocol: /^https$/, error: "an https:// URL" });

/** The client secret stays in Secrets Manager: CloudFormation resolves it at deploy time. */
const SecretReferenceSchema = z.strictObject(
  {
    /** The secret's name or ARN. */
    secretsManager: z.string().min(1),
    /** When the secret is JSON: the field holding the client secret (otherwise the whole string). */
    jsonField: z.string().min(1).optional(),
  },
  {
    error:
      'the client secret is read from Secrets Manager: give { secretsManager: "<secret name or ARN>" }, never the secret itself',
  },
);

const OidcSchema = z.strictObject({
  type: z.literal("oidc"),
  /** The provider's issuer, e.g. https://login.microsoftonline.com/<tenant id>/v2.0 (Entra ID). */
  issuerUrl: https,
  /** The application (client) id the provider gave the app registration. */
  clientId: z.string().min(1),
  clientSecret: SecretReferenceSchema,
  /** Requested scopes (default openid, email, profile); "openid" is required for an ID token. */
  scopes: z
    .array(z.string().regex(/^\S+$/, "a scope has no spaces"))
    .refine((s) => s.includes("openid"), { message: 'must include "openid"' })
    .optional(),
});

const SamlSchema = z
  .strictObject({
    type: z.literal("saml"),
    /** The provider's federation metadata URL (Entra ID: App Federation Metadata Url)… */
    metadataUrl: https.optional(),
    /** …or the metadata XML saved in a file (relative to the repository root). */
    metadataFile: z
      .string()
      .min(1)
      .refine((f) => existsSync(path.resolve(REPO_ROOT, f)), { message: "no such file" })
      .optional(),
    /** Sign-out at Cognito also signs out at the provider (SAML single logout; default false). */
    idpSignout: z.boolean().optional(),
  })
  .refine((s) => (s.metadataUrl === undefined) !== (s.metadataFile === undefined), {
    message: "give exactly one of metadataUrl or metadataFile",
  });

/** User pool attributes a provider claim can fill (keys: ours; values: the provider's claim names). */
const AttributeMappingSchema = z.strictObject({
  email: z.string().min(1).optional(),
  name: z.string().min(1).optional(),
  givenName: z.string().min(1).optional(),
  familyName: z.string().min(1).optional(),
  preferredUsername: z.string().min(1).optional(),
});

export const IdentityProviderSchema = z.strictObject({
  /** The provider's name in Cognito (shown on the sign-in page, the prefix of federated usernames). */
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9-]{2,31}$/, "3 to 32 letters, digits or hyphens, e.g. EntraID"),
  protocol: z.discriminatedUnion("type", [OidcSchema, SamlSchema], {
    error: 'type must be "oidc" or "saml"',
  }),
  attributes: AttributeMappingSchema.optional(),
  groups: z
    .strictObject({
      /** The claim (OIDC) or attribute (SAML) carrying the user's groups, e.g. "groups". */
      claim: z.string().min(1),
      /** Provider groups (Entra ID: group object ids) whose members read. */
      readers: z.array(z.string().min(1)),
      /** Provider groups whose members also act (start transfers, answer decisions, hide units). */
      operators: z.array(z.string().min(1)),
    })
    .refine((g) => g.readers.length + g.operators.length > 0, {
      message: "map at least one provider group to readers or operators (nobody could use the dashboard)",
    }),
  /** Keep Cognito username/password accounts beside the provider (false: the provider only). */
  localAccounts: z.boolean(),
});

export type IdentityProviderConfig = z.infer<typeof IdentityProviderSchema>;
