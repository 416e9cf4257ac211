import * as path from 'node:path';
import { Duration, RemovalPolicy, SecretValue, Stack, Token } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { IssuerConfig } from '../../../lib/authorizer/config';
import { ItemKeys } from '../../../lib/authorizer/stores/index';
import { PlatformValidationError } from '../../../lib/errors';
import { customAttribute, MFA_CLAIM, PoolAttributes, ResolvedSpec, scopePrefix } from '../../../lib/spec';
import { externalIssuerConfigs } from '../../../lib/spec/issuers';
import { keyOrCreate } from '../common/encryption-key';
import { cognitoIssuerUrl } from '../common/issuers';
import { packageRoot } from '../common/lambda-runtime';
import { PlatformNames } from '../common/names';
import { PlatformFunction } from '../common/platform-function';

/** Credentials Cognito uses to federate one of the spec's OIDC issuers. */
export interface OidcFederation {
  /** The client id registered at the external issuer for this user pool. */
  readonly clientId: string;
  /** Its client secret (from Secrets Manager: `SecretValue.secretsManager(...)`). */
  readonly clientSecret: SecretValue;
  /**
   * Scopes requested from the issuer.
   * @default ['openid', 'email']
   */
  readonly scopes?: string[];
}

export interface PlatformIdentityProps {
  readonly spec: ResolvedSpec;
  /**
   * Federate the spec's OIDC issuers into the user pool (sign-in through the hosted UI), by issuer name. Issuers
   * not listed are still trusted directly by the authorizer.
   * @default - no federation
   */
  readonly federation?: Record<string, OidcFederation>;
  /**
   * A custom email sender: Cognito encrypts codes with the KMS key before invoking it, so no message leaves in clear.
   * @default - Cognito's default sender (account recovery by email only)
   */
  readonly customEmailSender?: lambda.IFunction;
  /**
   * Key of the custom sender's codes.
   * @default - a new customer-managed key with rotation (only when `customEmailSender` is set)
   */
  readonly senderKey?: kms.IKey;
  /**
   * Refresh-token validity.
   * @default Duration.hours(12)
   */
  readonly refreshTokenValidity?: Duration;
  /**
   * The platform table: the pre-token-generation trigger reads machine clients' tenants from its `CLIENT#<id>` records.
   * @default - no table: client-credentials tokens are refused (the trigger finds no tenant for them)
   */
  readonly table?: dynamodb.ITable | dynamodb.ITableV2;
  /**
   * Key that encrypts the trigger's log group.
   * @default - a new customer-managed key with rotation
   */
  readonly logKey?: kms.IKey;
}

/**
 * The platform's user pool (primary region): MFA required (TOTP, no SMS), threat protection enforced (Plus
 * plan), a strong password policy, deletion protection, no self sign-up by default, token revocation, short
 * token validity; resource servers and scopes from `spec.apis`; machine (client credentials) and public
 * (authorization code + PKCE, no secret) app clients; OIDC federation. The authorizer's issuer entry is derived
 * from these (`authorizerIssuer`), so the two cannot drift.
 */
export class PlatformIdentity extends Construct {
  public readonly userPool: cognito.UserPool;
  public readonly domain: cognito.UserPoolDomain;
  /** Resource servers by API name; their identifier is the API name. */
  public readonly resourceServers: Record<string, cognito.UserPoolResourceServer> = {};
  /** App clients by spec client name. */
  public readonly clients: Record<string, cognito.UserPoolClient> = {};
  public readonly identityProviders: Record<string, cognito.UserPoolIdentityProviderOidc> = {};
  /** SSM parameter holding the pool id under a computed name, for regions that must not take a cross-region token. */
  public readonly userPoolIdParameter: ssm.StringParameter;
  public readonly senderKey?: kms.IKey;
  /** The pre-token-generation trigger (V3_0): the tenant and MFA claims of every token. */
  public readonly tokenTrigger: PlatformFunction;
  private readonly spec: ResolvedSpec;

  constructor(scope: Construct, id: string, props: PlatformIdentityProps) {
    super(scope, id);
    const spec = props.spec;
    this.spec = spec;
    const up = spec.userPool;
    if (!up) {
      throw new PlatformValidationError('spec.identity.userPool is required by PlatformIdentity (received: undefined); set identity.userPool, or trust external issuers only and do not create PlatformIdentity', this);
    }
    const region = Stack.of(this).region;
    if (!Token.isUnresolved(region) && region !== spec.primaryRegion) {
      throw new PlatformValidationError(`PlatformIdentity belongs in the primary region ${spec.primaryRegion} (received a stack in: ${region}); every region trusts the primary pool's issuer`, this);
    }
    const validity = up.accessTokenValidityMinutes;
    if (validity < 5 || validity > 60) {
      throw new PlatformValidationError(`spec.identity.userPool.accessTokenValidityMinutes must be between 5 and 60 so a stolen token expires quickly (received: ${validity})`, this);
    }
    const refresh = props.refreshTokenValidity ?? Duration.hours(12);
    if (refresh.toMinutes() < 60 || refresh.toDays({ integral: false }) > 30) {
      throw new PlatformValidationError(`refreshTokenValidity must be between 1 hour and 30 days (received: ${refresh.toMinutes()} minutes)`, this);
    }
    for (const name of Object.keys(props.federation ?? {})) {
      if (!spec.issuers.some((i) => i.name === name)) {
        throw new PlatformValidationError(`federation names an issuer the spec does not declare (received: ${JSON.stringify(name)}; declared: ${JSON.stringify(spec.issuers.map((i) => i.name))}); add it to spec.identity.issuers`, this);
      }
    }

    if (props.customEmailSender) this.senderKey = keyOrCreate(this, 'SenderKey', props.senderKey, `${spec.name} Cognito custom sender codes`);
    this.userPool = new cognito.UserPool(this, 'Resource', {
      userPoolName: `${spec.name}-users`,
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      mfa: cognito.Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(1),
        passwordHistorySize: 24,
      },
      selfSignUpEnabled: up.selfSignUp,
      // Read by the pre-token-generation trigger. No app client may write `tenant_id` (administrators set it); the
      // `idp_*` attributes are written by federation at every sign-in and read for federated users only.
      customAttributes: {
        [PoolAttributes.tenant]: new cognito.StringAttribute({ minLen: 1, maxLen: 64, mutable: true }),
        [PoolAttributes.federatedTenant]: new cognito.StringAttribute({ maxLen: 64, mutable: true }),
        [PoolAttributes.federatedAmr]: new cognito.StringAttribute({ maxLen: 256, mutable: true }),
      },
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
      ...(props.customEmailSender ? { customSenderKmsKey: this.senderKey, lambdaTriggers: { customEmailSender: props.customEmailSender } } : {}),
    });
    this.tokenTrigger = this.createTokenTrigger(props);
    this.domain = this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix: up.domainPrefix }, managedLoginVersion: cognito.ManagedLoginVersion.NEWER_MANAGED_LOGIN });

    for (const api of spec.apis) {
      if (this.resourceServers[api.name]) continue;
      const versions = spec.apis.filter((a) => a.name === api.name);
      const scopes = Object.entries(Object.assign({}, ...versions.map((a) => a.scopes)) as Record<string, string>);
      this.resourceServers[api.name] = this.userPool.addResourceServer(`Api-${api.name}`, {
        identifier: api.name,
        userPoolResourceServerName: `${spec.name}-${api.name}`,
        scopes: scopes.map(([scopeName, scopeDescription]) => new cognito.ResourceServerScope({ scopeName, scopeDescription })),
      });
    }

    for (const [name, fed] of Object.entries(props.federation ?? {})) {
      const issuer = spec.issuers.find((i) => i.name === name)!;
      this.identityProviders[name] = new cognito.UserPoolIdentityProviderOidc(this, `Oidc-${name}`, {
        userPool: this.userPool,
        name,
        clientId: fed.clientId,
        clientSecret: fed.clientSecret.unsafeUnwrap(),
        issuerUrl: issuer.issuer,
        scopes: fed.scopes ?? ['openid', 'email'],
        attributeRequestMethod: cognito.OidcAttributeRequestMethod.GET,
        attributeMapping: {
          email: cognito.ProviderAttribute.other('email'),
          custom: {
            [customAttribute(PoolAttributes.federatedTenant)]: cognito.ProviderAttribute.other(issuer.tenantClaim),
            [customAttribute(PoolAttributes.federatedAmr)]: cognito.ProviderAttribute.other('amr'),
          },
        },
      });
    }

    const federated = Object.keys(this.identityProviders).map((n) => cognito.UserPoolClientIdentityProvider.custom(n));
    const idps = [cognito.UserPoolClientIdentityProvider.COGNITO, ...federated];
    for (const c of up.clients) {
      const oauthScopes = c.scopes.map((s) => {
        const api = spec.apis.find((a) => s in a.scopes);
        if (!api) throw new PlatformValidationError(`spec.identity.userPool.clients "${c.name}" requests a scope no API declares (received: ${JSON.stringify(s)}); declare it in apis[].scopes`, this);
        const server = this.resourceServers[api.name];
        return cognito.OAuthScope.resourceServer(server, new cognito.ResourceServerScope({ scopeName: s, scopeDescription: String(api.scopes[s]) }));
      });
      const machine = c.kind === 'machine';
      if (!machine && (c.callbackUrls ?? []).length === 0) {
        throw new PlatformValidationError(`spec.identity.userPool.clients "${c.name}" is public and needs callbackUrls (received: undefined); add the https redirect URIs`, this);
      }
      const client = this.userPool.addClient(`Client-${c.name}`, {
        userPoolClientName: `${spec.name}-${c.name}`,
        generateSecret: machine,
        // Listed, not Cognito's defaults (which add SRP and custom auth): refresh only; sign-in is the hosted UI's.
        authFlows: { userSrp: false },
        // Listed, not Cognito's default of every writable attribute: never `custom:tenant_id`. Federation writes the
        // `idp_*` attributes through the public clients, so those (and email) are theirs to write.
        writeAttributes: machine || federated.length === 0
          ? new cognito.ClientAttributes().withStandardAttributes({ email: true })
          : new cognito.ClientAttributes().withStandardAttributes({ email: true })
            .withCustomAttributes(PoolAttributes.federatedTenant, PoolAttributes.federatedAmr),
        oAuth: machine
          ? { flows: { clientCredentials: true }, scopes: oauthScopes }
          : { flows: { authorizationCodeGrant: true }, scopes: [cognito.OAuthScope.OPENID, ...oauthScopes], callbackUrls: c.callbackUrls },
        supportedIdentityProviders: machine ? [cognito.UserPoolClientIdentityProvider.COGNITO] : idps,
        enableTokenRevocation: true,
        preventUserExistenceErrors: true,
        accessTokenValidity: Duration.minutes(validity),
        idTokenValidity: Duration.minutes(validity),
        refreshTokenValidity: refresh,
      });
      for (const p of Object.values(this.identityProviders)) client.node.addDependency(p);
      this.clients[c.name] = client;
    }

    this.userPoolIdParameter = new ssm.StringParameter(this, 'UserPoolIdParameter', {
      parameterName: PlatformNames.userPoolIdParameter(spec),
      stringValue: this.userPool.userPoolId,
      description: `${spec.name} user pool id (primary region ${spec.primaryRegion}); read by the regional authorizers' deployments`,
    });
  }

  /**
   * The authorizer's issuer entries, derived from this pool and the spec, so the two cannot drift: the Cognito
   * pool (access tokens, `client_id` of every app client) followed by the spec's external OIDC issuers.
   * Cognito scopes arrive as `<api name>/<scope>` (the resource server's identifier as prefix).
   */
  public authorizerIssuers(apiName: string = this.spec.apis[0].name): IssuerConfig[] {
    const clientIds = Object.values(this.clients).map((c) => c.userPoolClientId);
    const cognitoIssuer = cognitoIssuerConfig(this.spec, this.userPool.userPoolId, clientIds, apiName);
    return [cognitoIssuer, ...externalIssuerConfigs(this.spec)];
  }

  /** The pre-token-generation trigger (V3_0: one per pool, for users and client credentials). */
  private createTokenTrigger(props: PlatformIdentityProps): PlatformFunction {
    const spec = this.spec;
    const federatedTenants = Object.fromEntries(Object.keys(props.federation ?? {})
      .map((name) => [name, spec.issuers.find((i) => i.name === name)?.tenants ?? null]));
    const fn = new PlatformFunction(this, 'TokenTrigger', {
      purpose: `${spec.name} pre-token-generation trigger: adds the caller's tenant and MFA claims to Cognito tokens`,
      code: lambda.Code.fromAsset(triggerAssetPath()),
      logKey: props.logKey ?? keyOrCreate(this, 'TriggerLogKey', undefined, `${spec.name} pre-token-generation trigger logs`),
      logRetentionDays: spec.audit.logRetentionDays,
      timeout: Duration.seconds(5),
      reservedConcurrency: 10,
      environment: {
        ...(props.table ? { TABLE_NAME: props.table.tableName } : {}),
        MFA_REQUIRED: 'true',
        TENANT_CLAIM: spec.tenantClaim,
        FEDERATED_TENANTS: JSON.stringify(federatedTenants),
      },
    });
    if (props.table) {
      const stack = Stack.of(this);
      fn.addToPolicy(new iam.PolicyStatement({
        actions: ['dynamodb:GetItem'],
        resources: [stack.formatArn({ service: 'dynamodb', resource: 'table', resourceName: props.table.tableName })],
        // Only the client records.
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${ItemKeys.client('').pk}*`] } },
      }));
      if (props.table.encryptionKey) fn.addToPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [props.table.encryptionKey.keyArn] }));
    }
    this.userPool.addTrigger(cognito.UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG, fn.function, cognito.LambdaVersion.V3_0);
    return fn;
  }
}

/** The bundled trigger (`npm run bundle:authorizer` builds it next to the authorizer). */
function triggerAssetPath(): string {
  return path.join(packageRoot(), 'assets', 'pre-token-generation');
}

/**
 * The Cognito pool's issuer entry for one API's authorizer: access tokens of the pool's app clients, the tenant and MFA
 * claims the trigger adds, and the API's own scope prefix only.
 */
export function cognitoIssuerConfig(spec: ResolvedSpec, userPoolId: string, clientIds: string[], apiName: string): IssuerConfig {
  const issuer = cognitoIssuerUrl(spec.primaryRegion, userPoolId);
  return {
    issuer,
    jwksUri: `${issuer}/.well-known/jwks.json`,
    clientIds,
    algorithms: ['RS256'],
    tokenUse: 'access',
    scopePrefixes: [scopePrefix(apiName)],
    tenantClaim: spec.tenantClaim,
    mfaClaim: MFA_CLAIM,
  };
}
