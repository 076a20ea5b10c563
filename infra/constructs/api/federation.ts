import { readFileSync } from "node:fs";
import path from "node:path";
import { Duration, SecretValue } from "aws-cdk-lib";
import {
  type AttributeMapping,
  ProviderAttribute,
  type UserPool,
  UserPoolIdentityProviderOidc,
  UserPoolIdentityProviderSaml,
  UserPoolIdentityProviderSamlMetadata,
  UserPoolOperation,
} from "aws-cdk-lib/aws-cognito";
import { NodejsFunction } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import type { IdentityProviderConfig } from "../../config/identity-provider-schema.ts";
import type { StageConfig } from "../../config/index.ts";
import { acknowledge, dataRemovalPolicy, REPO_ROOT } from "../common.ts";
import { functionDefaults } from "../functions/defaults.ts";
import { OPERATOR_GROUP, PROVIDER_GROUPS_ATTRIBUTE, READER_GROUP } from "./interfaces.ts";

export interface FederationProps {
  readonly config: StageConfig;
  readonly provider: IdentityProviderConfig;
  /** The pool must declare the custom attribute PROVIDER_GROUPS_ATTRIBUTE (mutable: rewritten at each sign-in). */
  readonly userPool: UserPool;
}

/** The Cognito user attribute (with its "custom:" prefix) the provider's groups are written to. */
export const PROVIDER_GROUPS_USER_ATTRIBUTE = `custom:${PROVIDER_GROUPS_ATTRIBUTE}`;

/**
 * The archive's own identity provider on the user pool: the OIDC or SAML provider (its group claim
 * written to custom:provider_groups at every sign-in) and the pre-token-generation trigger that turns
 * those groups into our readers/operators in the token's cognito:groups — Cognito maps attributes,
 * never groups. The client secret of an OIDC provider is a Secrets Manager dynamic reference.
 */
export class Federation extends Construct {
  readonly providerName: string;
  readonly provider: UserPoolIdentityProviderOidc | UserPoolIdentityProviderSaml;
  readonly trigger: NodejsFunction;

  constructor(scope: Construct, id: string, props: FederationProps) {
    super(scope, id);
    const { config, provider, userPool } = props;
    const attributeMapping = mappingOf(provider);
    const { protocol } = provider;
    this.provider =
      protocol.type === "oidc"
        ? new UserPoolIdentityProviderOidc(this, "Oidc", {
            userPool,
            name: provider.name,
            issuerUrl: protocol.issuerUrl,
            clientId: protocol.clientId,
            clientSecret: SecretValue.secretsManager(protocol.clientSecret.secretsManager, {
              ...(protocol.clientSecret.jsonField ? { jsonField: protocol.clientSecret.jsonField } : {}),
            }).unsafeUnwrap(), // a {{resolve:secretsmanager:…}} reference, not the secret
            scopes: protocol.scopes ?? ["openid", "email", "profile"],
            attributeMapping,
          })
        : new UserPoolIdentityProviderSaml(this, "Saml", {
            userPool,
            name: provider.name,
            metadata: protocol.metadataUrl
              ? UserPoolIdentityProviderSamlMetadata.url(protocol.metadataUrl)
              : UserPoolIdentityProviderSamlMetadata.file(
                  readFileSync(path.resolve(REPO_ROOT, protocol.metadataFile!), "utf8"),
                ),
            idpSignout: protocol.idpSignout ?? false,
            attributeMapping,
          });
    this.providerName = this.provider.providerName;

    const logGroup = new LogGroup(this, "TriggerLogs", {
      retention: config.logRetentionDays,
      removalPolicy: dataRemovalPolicy(config),
    });
    // Outside the VPC: it reads only the event and its environment, and Cognito waits at most 5 s.
    this.trigger = new NodejsFunction(this, "MapProviderGroups", {
      description: `Pre-token generation: ${provider.name} groups -> readers/operators in cognito:groups`,
      ...functionDefaults(config, "map-provider-groups"),
      memorySize: 256,
      timeout: Duration.seconds(5),
      logGroup,
      environment: {
        PROVIDER_NAME: provider.name,
        PROVIDER_GROUPS_ATTRIBUTE: PROVIDER_GROUPS_USER_ATTRIBUTE,
        PROVIDER_READER_GROUPS: JSON.stringify(provider.groups.readers),
        PROVIDER_OPERATOR_GROUPS: JSON.stringify(provider.groups.operators),
        READER_GROUP,
        OPERATOR_GROUP,
        POWERTOOLS_SERVICE_NAME: "stepmatica-map-provider-groups",
        NODE_OPTIONS: "--enable-source-maps",
      },
    });
    userPool.addTrigger(UserPoolOperation.PRE_TOKEN_GENERATION, this.trigger);
    acknowledge(
      this.trigger,
      "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
      "The AWS basic execution policy only lets the function write its own log streams.",
    );
    if (config.operations.tracing) {
      acknowledge(
        this.trigger,
        "AwsSolutions-IAM5[Resource::*]",
        "X-Ray PutTraceSegments/PutTelemetryRecords do not support resource-level permissions.",
      );
    }
  }
}

/** The provider's claims into the pool's attributes: the configured ones and the group claim. */
function mappingOf(provider: IdentityProviderConfig): AttributeMapping {
  const claim = (name: string | undefined) => (name ? ProviderAttribute.other(name) : undefined);
  const a = provider.attributes ?? {};
  const standard = {
    email: claim(a.email),
    fullname: claim(a.name),
    givenName: claim(a.givenName),
    familyName: claim(a.familyName),
    preferredUsername: claim(a.preferredUsername),
  };
  return {
    ...Object.fromEntries(Object.entries(standard).filter(([, v]) => v !== undefined)),
    custom: { [PROVIDER_GROUPS_USER_ATTRIBUTE]: ProviderAttribute.other(provider.groups.claim) },
  };
}
