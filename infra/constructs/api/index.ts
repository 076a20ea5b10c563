import { Aws, Duration } from "aws-cdk-lib";
import { type CfnStage, CorsHttpMethod, HttpApi, HttpMethod } from "aws-cdk-lib/aws-apigatewayv2";
import { HttpUserPoolAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import {
  AccountRecovery,
  CfnUserPoolGroup,
  Mfa,
  OAuthScope,
  StringAttribute,
  UserPool,
  type UserPoolClient,
  UserPoolClientIdentityProvider,
  type UserPoolDomain,
} from "aws-cdk-lib/aws-cognito";
import { LogGroup } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import { acknowledge, dataRemovalPolicy, isRetained } from "../common.ts";
import { DashboardSite } from "../dashboard-site/index.ts";
import { Federation } from "./federation.ts";
import { type ApiProps, OPERATOR_GROUP, PROVIDER_GROUPS_ATTRIBUTE, READER_GROUP } from "./interfaces.ts";

/**
 * The dashboard's API: an HTTP API whose routes all pass Cognito's JWT authorizer before reaching
 * the api function, and the user pool (MFA required, no self sign-up, an "operators" group) with
 * a hosted sign-in domain and a public client for the dashboard page (code flow with PKCE), and the
 * page itself (DashboardSite: S3 + CloudFront), whose origin the client and the API's CORS allow.
 * With dashboard.identityProvider, staff sign in through the archive's own OIDC/SAML provider
 * (Federation), its groups mapped to a "readers" group and "operators"; local accounts optional.
 */
export class Api extends Construct {
  readonly httpApi: HttpApi;
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  readonly domain: UserPoolDomain;
  readonly site: DashboardSite;
  /** The archive's own identity provider, when the stage configures one. */
  readonly federation: Federation | undefined;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const { config } = props;
    const provider = config.dashboard.identityProvider;
    this.userPool = new UserPool(this, "Users", {
      userPoolName: `stepmatica-${config.stage}`,
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireDigits: true,
        requireLowercase: true,
        requireUppercase: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      // Rewritten from the provider's group claim at every federated sign-in (hence mutable).
      ...(provider
        ? {
            customAttributes: {
              [PROVIDER_GROUPS_ATTRIBUTE]: new StringAttribute({ mutable: true, maxLen: 2048 }),
            },
          }
        : {}),
      deletionProtection: isRetained(config),
      removalPolicy: dataRemovalPolicy(config),
    });
    acknowledge(
      this.userPool,
      "AwsSolutions-COG8",
      "A few staff accounts, created by an administrator (no self sign-up), with MFA required; the Plus tier's threat protection can be switched on per archive (featurePlan).",
    );
    new CfnUserPoolGroup(this, "Operators", {
      userPoolId: this.userPool.userPoolId,
      groupName: OPERATOR_GROUP,
      description: "May start transfers, answer decisions and hide units",
    });
    if (provider) {
      new CfnUserPoolGroup(this, "Readers", {
        userPoolId: this.userPool.userPoolId,
        groupName: READER_GROUP,
        description: "May read the dashboard (required once an identity provider is configured)",
      });
    }
    this.federation = provider
      ? new Federation(this, "Federation", { config, provider, userPool: this.userPool })
      : undefined;
    // Prefixes are global per region: the account id keeps two archives' domains apart.
    this.domain = this.userPool.addDomain("Domain", {
      cognitoDomain: { domainPrefix: `stepmatica-${config.stage}-${Aws.ACCOUNT_ID}` },
    });
    this.site = new DashboardSite(this, "Site", {
      config,
      signInUrl: this.domain.baseUrl(),
      accessLogsBucket: props.accessLogsBucket,
      uploadBucket: props.uploadBucket,
    });
    // The hosted page first; the configured ones (a page on localhost) stay allowed.
    const callbackUrls = [this.site.url, ...config.dashboard.callbackUrls];
    this.client = this.userPool.addClient("Dashboard", {
      generateSecret: false,
      preventUserExistenceErrors: true,
      authFlows: { userSrp: provider?.localAccounts ?? true },
      supportedIdentityProviders: [
        ...(provider?.localAccounts === false ? [] : [UserPoolClientIdentityProvider.COGNITO]),
        ...(this.federation ? [UserPoolClientIdentityProvider.custom(this.federation.providerName)] : []),
      ],
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls,
        logoutUrls: callbackUrls,
      },
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(1),
    });
    // The client names the provider, which must exist first.
    if (this.federation) this.client.node.addDependency(this.federation.provider);

    this.httpApi = new HttpApi(this, "HttpApi", {
      apiName: `stepmatica-${config.stage}`,
      description: "stepmatica dashboard API",
      corsPreflight: {
        allowOrigins: corsOrigins(config.dashboard.corsOrigins, this.site.origin),
        allowHeaders: ["authorization", "content-type"],
        allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.PUT, CorsHttpMethod.DELETE],
        maxAge: Duration.hours(1),
      },
    });
    this.httpApi.addRoutes({
      path: "/api/{proxy+}",
      methods: [HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.DELETE],
      integration: new HttpLambdaIntegration("Handler", props.handler),
      authorizer: new HttpUserPoolAuthorizer("Cognito", this.userPool, { userPoolClients: [this.client] }),
    });
    const accessLogs = new LogGroup(this, "AccessLogs", {
      retention: config.logRetentionDays,
      removalPolicy: dataRemovalPolicy(config),
    });
    const stage = this.httpApi.defaultStage!.node.defaultChild as CfnStage;
    stage.accessLogSettings = {
      destinationArn: accessLogs.logGroupArn,
      format: JSON.stringify({
        requestId: "$context.requestId",
        ip: "$context.identity.sourceIp",
        user: "$context.authorizer.claims.sub",
        time: "$context.requestTime",
        method: "$context.httpMethod",
        path: "$context.path",
        status: "$context.status",
        latencyMs: "$context.responseLatency",
        error: "$context.integrationErrorMessage",
      }),
    };
    stage.defaultRouteSettings = { throttlingBurstLimit: 100, throttlingRateLimit: 50 };

    this.site.publish({
      apiBase: this.url,
      auth: {
        domain: this.domain.baseUrl(),
        clientId: this.client.userPoolClientId,
        redirectUri: this.site.url,
        // The provider alone: the page goes straight to it, past Cognito's chooser.
        ...(provider?.localAccounts === false ? { identityProvider: provider.name } : {}),
      },
    });
  }

  get url(): string {
    return this.httpApi.apiEndpoint;
  }
}

/** The hosted page's origin and the configured ones; "*" (any origin) stands alone. */
export function corsOrigins(configured: readonly string[], siteOrigin: string): string[] {
  return configured.includes("*") ? ["*"] : [siteOrigin, ...configured.filter((o) => o !== siteOrigin)];
}
