import { Annotations, Duration, RemovalPolicy, Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { ApiDomains } from './api-domains';
import { AuthorizerFunction } from './authorizer-function';
import { createApiAuthorizers } from './api-authorizers';
import { addGatewayResponses } from './gateway-responses';
import { integrationFor, modelId } from './route-integrations';
import { grantApiInvoke, RouteStacks } from './route-stacks';
import { addUsagePlans } from './usage-plans';
import { AuthorizerConfig, IssuerConfig } from '../../../lib/authorizer/config';
import { acknowledge } from '../../../lib/compliance/aws/acknowledge';
import { PlatformValidationError } from '../../../lib/errors';
import { ApiSpec, CORS_PREFLIGHT_MAX_AGE_SECONDS, corsAllowHeaders, ResolvedRoute, ResolvedSpec, revocationBoundSeconds } from '../../../lib/spec';
import { ACCESS_LOG_FIELDS } from '../../../lib/spec/contracts/logs';
import { apiRouteLayout } from '../../../lib/spec/contracts/route-layout';
import { keyOrCreate } from '../common/encryption-key';
import { PlatformNames } from '../common/names';
import { RegionalWaf } from '../edge/regional-waf';

/** A web ACL to associate with the stage (a `RegionalWaf`, or any ARN). */
export interface WebAclRef {
  readonly webAclArn: string;
}

export interface SecureRestApiProps {
  readonly spec: ResolvedSpec;
  /** Name of the API in `spec.apis`. */
  readonly api: string;
  /**
   * Version of the API (several versions may share a name).
   * @default - the only version of `api` in the spec
   */
  readonly version?: string;
  /**
   * Lambda backend of the routes (required when the API's backend kind is `lambda`).
   * @default - none
   */
  readonly backend?: lambda.IFunction;
  /**
   * VPC link of a `private` backend (an internal NLB).
   * @default - none (required for private backends)
   */
  readonly vpcLink?: apigw.IVpcLink;
  /**
   * Token issuers the authorizer trusts, typically `PlatformIdentity.authorizerIssuers(...)` plus the spec's OIDC issuers.
   * @default - the spec's external issuers (`spec.issuers`)
   */
  readonly issuers?: IssuerConfig[];
  /**
   * The DynamoDB global table holding API-key hashes, revocations and tenants (its replica in this region is read).
   * @default - none: the authorizer runs without revocation, tenants and API keys (a warning is added)
   */
  readonly table?: dynamodb.ITable | dynamodb.ITableV2;
  /**
   * Cedar policies (text) the authorizer evaluates after the route scopes.
   * @default - none
   */
  readonly policies?: string;
  /**
   * Web ACL to associate with the stage.
   * @default - a `RegionalWaf` built from the spec
   */
  readonly webAcl?: WebAclRef;
  /**
   * Custom domains shared by the API versions of this region.
   * @default - created here when `spec.domain` is set (pass one shared instance when a region serves several versions)
   */
  readonly domains?: ApiDomains;
  /**
   * Key of the access logs and the authorizer's environment and logs.
   * @default - a new customer-managed key with rotation
   */
  readonly key?: kms.IKey;
  /**
   * Authorizer result cache TTL of every route, 0 (off) to 300 s. The cache key is the Authorization header (token or
   * `ApiKey <key>`: every identity source is mandatory, so both credentials travel in that one header), the method, the
   * full request path (so path parameters, and Cedar's tenant checks on them, are part of the key) and the source IP.
   * APIs served with mutual TLS get no cache: API Gateway cannot key it on the client certificate, so a cached allow of
   * a certificate-bound token would outlive a change of certificate. The TTL is part of the revocation bound.
   * @default - per route, from the spec: `routes[].authorizerCacheSeconds`, else `identity.revocation.gatewayCacheSeconds` (20 s); 0 for APIs with `mtls`
   */
  readonly authorizerCacheTtl?: Duration;
  /**
   * Use Cognito user pool authorizers instead of the Lambda authorizer (no API keys, Cedar or revocation then).
   * @default - the Lambda authorizer
   */
  readonly cognitoUserPools?: cognito.IUserPool[];
  /**
   * Create the account-wide API Gateway CloudWatch Logs role. One per account and region: leave it to the account baseline.
   * @default false
   */
  readonly createCloudWatchRole?: boolean;
  /**
   * Generation of the stage's client certificate (presented to HTTP backends); bump it to rotate before the
   * 365-day expiry, keep the old certificate trusted by the backend until the deployment completes.
   * @default 1
   */
  readonly clientCertificateGeneration?: number;
}

const MAX_CACHE_TTL_SECONDS = 300;

/** The access log record (its home is the log contract, read by metric filters and redaction too). */
export { ACCESS_LOG_FIELDS };

/**
 * One API version as a hardened REST API: regional endpoint (the execute-api endpoint disabled behind custom
 * domains), every method authorized except the spec's public routes, request validation from the spec's
 * schemas, security headers on gateway responses, JSON access logs to a KMS-encrypted log group, X-Ray,
 * ERROR execution logging without data trace, stage throttling, one usage plan per spec plan (API keys from
 * the authorizer), a regional web ACL and a client certificate for backends.
 */
export class SecureRestApi extends Construct {
  public readonly api: apigw.RestApi;
  public readonly stage: apigw.Stage;
  public readonly apiSpec: ApiSpec;
  public readonly routes: ResolvedRoute[];
  /** The Lambda authorizer (undefined with Cognito authorizers). */
  public readonly authorizerFunction?: AuthorizerFunction;
  /** The gateway authorizer of the routes with the most common cache TTL. */
  public readonly authorizer: apigw.IAuthorizer;
  /** Gateway authorizers by result cache TTL in seconds: a TTL belongs to an authorizer, so one per distinct TTL. */
  public readonly authorizersByTtl: Record<number, apigw.IAuthorizer> = {};
  /** Seconds from `token revoke` until no region accepts the token: slowest route's gateway TTL + authorizer cache + replication budget. */
  public readonly revocationBoundSeconds: number;
  /** The authorizer configuration rendered into `AUTHORIZER_CONFIG`. */
  public readonly authorizerConfig?: AuthorizerConfig;
  public readonly accessLogGroup: logs.LogGroup;
  public readonly key: kms.IKey;
  public readonly usagePlans: Record<string, apigw.UsagePlan>;
  public readonly clientCertificate: apigw.CfnClientCertificate;
  public readonly requestValidator: apigw.RequestValidator;
  public readonly webAcl?: RegionalWaf;
  public readonly webAclAssociation: wafv2.CfnWebACLAssociation;
  public readonly domains?: ApiDomains;
  /** Methods by route key (`GET /orders/{id}`), including the CORS preflights (`OPTIONS ...`). */
  public readonly methods: Record<string, apigw.Method> = {};
  /** Where the routes' resources are: nested stacks for a large API (see `planRouteLayout`), this stack otherwise. */
  public readonly routeStacks: RouteStacks;
  private readonly routeTtl: (r: ResolvedRoute) => number;
  /** The body models by stack and schema: routes with the same body schema share one (named after the first of them). */
  private readonly models = new Map<string, apigw.Model>();

  constructor(scope: Construct, id: string, props: SecureRestApiProps) {
    super(scope, id);
    const spec = props.spec;
    const candidates = spec.apis.filter((a) => a.name === props.api && (props.version === undefined || a.version === props.version));
    if (candidates.length !== 1) {
      const known = spec.apis.map((a) => `${a.name}@${a.version}`).join(', ');
      throw new PlatformValidationError(`api/version must name exactly one API of spec.apis (received: ${JSON.stringify(props.api)}${props.version ? ` version ${JSON.stringify(props.version)}` : ''}, matching ${candidates.length}; known: ${known}); pass version when an API has several`, this);
    }
    const api = candidates[0];
    this.apiSpec = api;
    this.routes = spec.routes.filter((r) => r.api === api.name && r.version === api.version);
    if (props.authorizerCacheTtl !== undefined && (Token.isUnresolved(props.authorizerCacheTtl.toSeconds())
      || props.authorizerCacheTtl.toSeconds() < 0 || props.authorizerCacheTtl.toSeconds() > MAX_CACHE_TTL_SECONDS)) {
      throw new PlatformValidationError(`authorizerCacheTtl must be between 0 and ${MAX_CACHE_TTL_SECONDS} s (whole seconds) so revocations and policy changes apply quickly (received: ${props.authorizerCacheTtl.toSeconds()} s); lower it`, this);
    }
    /** Each authorized route's gateway cache TTL (seconds). */
    const routeTtl = (r: ResolvedRoute): number => (api.mtls ? 0 : props.authorizerCacheTtl?.toSeconds() ?? r.authorizerCacheSeconds);
    const authorized = this.routes.filter((r) => !r.public);
    const maxTtl = Math.max(0, ...authorized.map(routeTtl));
    this.revocationBoundSeconds = revocationBoundSeconds({ ...spec.revocation, gatewayCacheSeconds: maxTtl });
    const kind = api.backend?.kind ?? 'lambda';
    if (kind === 'lambda' && !props.backend) {
      throw new PlatformValidationError(`backend is required: spec API "${api.name}" ${api.version} has a lambda backend (received: undefined); pass backend: lambda.IFunction`, this);
    }
    if (kind === 'private' && !props.vpcLink) {
      throw new PlatformValidationError(`vpcLink is required: spec API "${api.name}" ${api.version} has a private backend (received: undefined); pass vpcLink: apigw.IVpcLink`, this);
    }
    const generation = props.clientCertificateGeneration ?? 1;
    if (!Number.isInteger(generation) || generation < 1) {
      throw new PlatformValidationError(`clientCertificateGeneration must be a positive integer (received: ${generation}); bump it by one to rotate`, this);
    }

    this.key = keyOrCreate(this, 'Key', props.key, `${spec.name} ${api.name} ${api.version} access logs and authorizer`);
    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      encryptionKey: this.key,
      retention: spec.audit.logRetentionDays as logs.RetentionDays,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const hasDomain = spec.domain !== undefined;
    const restApiName = PlatformNames.restApi(spec, api.name, api.version);
    this.api = new apigw.RestApi(this, 'Resource', {
      restApiName,
      description: `${spec.name} ${api.name} ${api.version}`,
      endpointTypes: [apigw.EndpointType.REGIONAL],
      disableExecuteApiEndpoint: hasDomain,
      cloudWatchRole: props.createCloudWatchRole ?? false,
      apiKeySourceType: apigw.ApiKeySourceType.AUTHORIZER,
      deployOptions: {
        stageName: api.version,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: apigw.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
        tracingEnabled: true,
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        throttlingRateLimit: spec.stageThrottle.rate,
        throttlingBurstLimit: spec.stageThrottle.burst,
      },
    });
    if (!hasDomain) {
      Annotations.of(this).addWarningV2('@secure-api-platform/gateway:noCustomDomain', 'spec.domain is not set: the API is served on its execute-api endpoint only, without the TLS 1.3 policy (not for production)');
    }
    this.stage = this.api.deploymentStage;

    this.clientCertificate = new apigw.CfnClientCertificate(this, `ClientCertificate${generation === 1 ? '' : generation}`, {
      description: `${restApiName} client certificate (generation ${generation}) presented to HTTP backends`,
    });
    (this.stage.node.defaultChild as apigw.CfnStage).clientCertificateId = this.clientCertificate.attrClientCertificateId;
    acknowledge(this.stage, 'HIPAA.Security-APIGWCacheEnabledAndEncrypted', 'Response caching is off on purpose: responses are tenant data and an API Gateway cache key cannot include the authorizer\'s tenant, so a cache could serve one tenant\'s data to another; the authorizer result cache is used instead');
    acknowledge(this.stage, 'PCI.DSS.321-APIGWCacheEnabledAndEncrypted', 'Response caching is off on purpose: responses may hold cardholder data and an API Gateway cache key cannot include the authorizer\'s tenant, so a cache could leak data across tenants; nothing is stored at the gateway');
    acknowledge(this.stage, 'NIST.800.53.R5-APIGWCacheEnabledAndEncrypted', 'Response caching is off on purpose (SC-28, SI-19): tenant data is never stored at the gateway, whose cache key cannot include the authorizer\'s tenant; authorizer decisions are cached instead, keyed on token, method and resource');

    // The web ACL.
    if (props.webAcl) {
      this.webAclAssociation = new wafv2.CfnWebACLAssociation(this, 'WebAcl', { resourceArn: this.stage.stageArn, webAclArn: props.webAcl.webAclArn });
    } else {
      this.webAcl = new RegionalWaf(this, 'Waf', { spec, nameSuffix: `${api.name}-${api.version}`, logKey: this.key });
      this.webAclAssociation = this.webAcl.associate('WebAcl', this.stage.stageArn);
    }

    // The authorizer.
    // Distinct TTLs, the most used first (it keeps the construct id `LambdaAuthorizer`).
    const ttlUse = new Map<number, number>();
    for (const r of authorized) ttlUse.set(routeTtl(r), (ttlUse.get(routeTtl(r)) ?? 0) + 1);
    const ttls = [...ttlUse.entries()].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([t]) => t);
    if (ttls.length === 0) ttls.push(maxTtl);
    // At most MAX_AUTHORIZERS_PER_API TTLs: validateSpec refuses more, and authorizerCacheTtl collapses them into one.
    const authorizers = createApiAuthorizers(this, { ...props, spec, api, ttls, authorized, key: this.key, restApiName });
    Object.assign(this.authorizersByTtl, authorizers.byTtl);
    this.authorizerFunction = authorizers.authorizerFunction;
    this.authorizerConfig = authorizers.authorizerConfig;
    this.authorizer = this.authorizersByTtl[ttls[0]];
    this.routeTtl = routeTtl;
    Annotations.of(this).addInfo(`revocation bound of ${restApiName}: ${this.revocationBoundSeconds} s = gateway cache ${maxTtl} s + authorizer cache `
      + `${spec.revocation.authorizerCacheSeconds} s + replication budget ${spec.revocation.replicationLagSeconds} s`);

    // Gateway responses: security headers, bodies that reveal nothing but the request id.
    addGatewayResponses(this.api, api);

    // Request validation and methods.
    this.requestValidator = new apigw.RequestValidator(this, 'Validator', {
      restApi: this.api,
      requestValidatorName: 'body-and-parameters',
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const layout = apiRouteLayout(this.routes, spec.corsOrigins.length > 0);
    this.routeStacks = new RouteStacks(this, this.api, layout, `${restApiName} routes`, this.routes);
    if (kind === 'lambda' && props.backend) grantApiInvoke(this, this.api, props.backend);
    for (const route of this.routes) this.addRoute(route, props, kind);
    this.addCorsPreflights(spec);
    this.routeStacks.registerMethods(Object.values(this.methods));

    // Usage plans, one per spec plan; a route's own plan caps its rate for every tenant.
    this.usagePlans = addUsagePlans({
      api: this.api, stage: this.stage, spec, apiSpec: api, routes: this.routes, methods: this.methods, restApiName,
    });

    // Custom domains: base path = version.
    if (hasDomain) {
      this.domains = props.domains ?? new ApiDomains(this, 'Domains', { spec });
      this.domains.publicDomain.addBasePathMapping(this.api, { basePath: api.version, stage: this.stage, attachToStage: false });
      this.domains.healthDomain?.addBasePathMapping(this.api, { basePath: api.version, stage: this.stage, attachToStage: false });
      if (api.mtls && this.domains.mtlsDomain) {
        this.domains.mtlsDomain.addBasePathMapping(this.api, { basePath: api.version, stage: this.stage, attachToStage: false });
      }
    }
  }

  private resourceFor(path: string): apigw.IResource {
    return this.routeStacks.resourceFor(path);
  }

  private addRoute(route: ResolvedRoute, props: SecureRestApiProps, kind: string): void {
    const resource = this.resourceFor(route.path);
    const pathParams = [...route.path.matchAll(/\{([A-Za-z_][A-Za-z0-9_]*)\+?\}/g)].map((m) => m[1]);
    const requestParameters: Record<string, boolean> = {};
    for (const p of pathParams) requestParameters[`method.request.path.${p}`] = true;
    for (const q of route.requiredQuery) requestParameters[`method.request.querystring.${q}`] = true;
    const model = route.body ? this.modelFor(route) : undefined;
    // API Gateway skips body validation when no model matches the Content-Type: `$default` validates every other
    // type (text/plain, none, …) against the same schema (passthroughBehavior does nothing for proxy integrations).
    const requestModels = model ? { 'application/json': model, '$default': model } : undefined;
    const method = resource.addMethod(route.method, integrationFor(route, this.apiSpec, props, kind, pathParams), {
      operationName: modelId(route.key),
      requestValidator: this.requestValidator,
      requestParameters,
      requestModels,
      ...(route.public
        ? { authorizationType: apigw.AuthorizationType.NONE, apiKeyRequired: false }
        : {
          authorizer: this.routeStacks.authorizerFor(route.path, this.authorizersByTtl[this.routeTtl(route)], this.authorizerFunction?.function),
          authorizationType: props.cognitoUserPools?.length ? apigw.AuthorizationType.COGNITO : apigw.AuthorizationType.CUSTOM,
          authorizationScopes: props.cognitoUserPools?.length ? route.scopes : undefined,
          // Metering and quotas: the authorizer returns the tenant's usage identifier key.
          apiKeyRequired: !props.cognitoUserPools?.length,
        }),
    });
    this.methods[route.key] = method;
    if (route.public) {
      // What the platform guarantees, not what the backend returns (that is the route owner's, stated in publicReason).
      const why = `Public route listed in the compliance report: ${route.publicReason ?? 'declared public in the spec'}; no authorizer runs, so no tenant or principal reaches the backend, `
        + 'and the route stays behind the web ACL and stage throttling';
      const condition = `spec route ${route.method} ${route.path} is public`;
      acknowledge(method, 'AwsSolutions-APIG4', why, condition);
      acknowledge(method, 'AwsSolutions-COG4', why, condition);
    } else if (!props.cognitoUserPools?.length) {
      const revocationOn = props.table !== undefined;
      const checks = ['route scopes', ...(props.policies ? ['Cedar policies'] : []), ...(revocationOn ? ['revocation'] : [])];
      acknowledge(method, 'AwsSolutions-COG4', `The method is authorized by the platform Lambda authorizer, which validates Cognito and external OIDC tokens (issuer, audience, client id, token_use, expiry) and checks ${checks.join(', ')}; a Cognito authorizer could not check external issuers${revocationOn ? ' or revocation' : ''}`,
        `the platform authorizer guards the method (${checks.join(', ')})`);
    }
  }

  /**
   * The body model of a route. Routes whose body schemas are the same (a collection's POST and its item's PUT) share
   * one model in the stack that holds them: one resource fewer per such route, for CloudFormation's 500 per stack.
   */
  private modelFor(route: ResolvedRoute): apigw.Model {
    const scope = this.routeStacks.scopeFor(route.path);
    const key = `${scope.node.path}\u0000${JSON.stringify(route.body)}`;
    let model = this.models.get(key);
    if (!model) {
      this.models.set(key, model = new apigw.Model(scope, `Model${modelId(route.key)}`, {
        restApi: this.routeStacks.apiFor(route.path),
        contentType: 'application/json',
        modelName: modelId(route.key),
        schema: route.body as unknown as apigw.JsonSchema,
      }));
    }
    return model;
  }

  /** CORS preflights from the allowlist (never `*`); unauthenticated by the CORS protocol. */
  private addCorsPreflights(spec: ResolvedSpec): void {
    if (spec.corsOrigins.length === 0) return;
    const paths = [...new Set(this.routes.map((r) => r.path))];
    for (const path of paths) {
      if (this.routes.some((r) => r.path === path && r.method === 'OPTIONS')) continue;
      const methods = [...new Set(this.routes.filter((r) => r.path === path).map((r) => r.method))];
      const method = this.resourceFor(path).addCorsPreflight({
        allowOrigins: spec.corsOrigins,
        allowCredentials: spec.corsAllowCredentials,
        allowMethods: methods,
        allowHeaders: corsAllowHeaders(spec),
        maxAge: Duration.seconds(CORS_PREFLIGHT_MAX_AGE_SECONDS),
      });
      // No APIG4/COG4 acknowledgment: cdk-nag treats an OPTIONS method answering 204 with CORS headers as not applicable.
      this.methods[`OPTIONS ${path}`] = method;
    }
  }
}
