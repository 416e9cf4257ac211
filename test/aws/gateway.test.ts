import { Duration, Lazy } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SecureRestApi } from '../../constructs/aws/gateway';
import { IDEMPOTENCY_KEY_HEADER, resolveSpec } from '../../lib/spec';
import { GATEWAY_TABLE_NAME, gatewayFixture, GatewayFixture } from '../fixtures/gateway';
import { fixtureSpec } from '../fixtures/platform-spec';
import { nagFindings, testStack } from '../support/nag';

const spec = resolveSpec(fixtureSpec('aws'));

/**
 * Each describe builds its own stack (a fresh `gatewayFixture`) for the behaviour it checks, so a stack that fails to
 * build fails only the tests of that behaviour; each test names one behaviour.
 */
function fixture(options?: Parameters<typeof gatewayFixture>[0]): () => GatewayFixture {
  let f: GatewayFixture | undefined;
  return () => (f ??= gatewayFixture(options));
}
const resourcesOf = (t: Template, type: string, props?: object): Array<{ Properties: Record<string, any> }> =>
  Object.values(t.findResources(type, props ? { Properties: props } : undefined)) as Array<{ Properties: Record<string, any> }>;
const methodProps = (f: GatewayFixture, key: string): Record<string, unknown> => {
  const m = f.api.methods[key];
  return f.template.toJSON().Resources[m.stack.getLogicalId(m.node.defaultChild as apigw.CfnMethod)].Properties;
};

describe('SecureRestApi compliance', () => {
  test('all four packs are clean', () => {
    const f = gatewayFixture();
    expect(nagFindings(f.stack)).toEqual([]);
  });
});

describe('SecureRestApi endpoint', () => {
  const f = fixture();
  test('the REST API is named after the platform, API and version', () => {
    f().template.hasResourceProperties('AWS::ApiGateway::RestApi', { Name: 'orders-orders-v1' });
  });
  test('the endpoint is regional', () => {
    f().template.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] } });
  });
  test('the execute-api endpoint is disabled behind the custom domain', () => {
    f().template.hasResourceProperties('AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: true });
  });
  test('API keys come from the authorizer', () => {
    f().template.hasResourceProperties('AWS::ApiGateway::RestApi', { ApiKeySourceType: 'AUTHORIZER' });
  });
  test('no account-wide CloudWatch Logs role is created', () => {
    f().template.resourceCountIs('AWS::ApiGateway::Account', 0);
  });
});

describe('SecureRestApi without a custom domain', () => {
  const f = fixture({
    lean: true,
    edit: (s) => ({ ...s, domain: undefined, edge: { ...s.edge, cdn: false, shieldAdvanced: false, emergencyContacts: undefined } }),
  });
  test('the execute-api endpoint stays enabled', () => {
    f().template.hasResourceProperties('AWS::ApiGateway::RestApi', { DisableExecuteApiEndpoint: false });
  });
  test('a warning says the API is served on its execute-api endpoint only', () => {
    Annotations.fromStack(f().stack).hasWarning('/Gateway/OrdersV1', Match.stringLikeRegexp('spec.domain is not set: the API is served on its execute-api endpoint only'));
  });
  test('no base path mapping is created', () => {
    f().template.resourceCountIs('AWS::ApiGateway::BasePathMapping', 0);
  });
});

describe('SecureRestApi method authorization', () => {
  const f = fixture();
  test('the methods are the spec routes and a CORS preflight per path', () => {
    expect(Object.keys(f().api.methods).sort()).toEqual(['GET /health', 'GET /orders/{id}', 'OPTIONS /health', 'OPTIONS /orders', 'OPTIONS /orders/{id}', 'POST /orders']);
  });
  test.each(['GET /orders/{id}', 'POST /orders'])('%s is authorized by the Lambda authorizer and requires an API key', (key) => {
    expect(methodProps(f(), key)).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: expect.anything(), ApiKeyRequired: true });
  });
  test('the spec-public GET /health runs no authorizer and requires no API key', () => {
    expect(methodProps(f(), 'GET /health')).toMatchObject({ AuthorizationType: 'NONE', ApiKeyRequired: false });
  });
  test('the only other unauthorized methods are the CORS preflights', () => {
    const unauthorized = resourcesOf(f().template, 'AWS::ApiGateway::Method').filter((m) => m.Properties.AuthorizationType !== 'CUSTOM').map((m) => m.Properties.HttpMethod);
    expect(unauthorized.sort()).toEqual(['GET', 'OPTIONS', 'OPTIONS', 'OPTIONS']);
  });
});

describe('SecureRestApi authorizer cache', () => {
  const mtls = fixture();
  const plain = fixture({ lean: true });
  test('the cache key is the credential, the method, the full path and the source IP', () => {
    plain().template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'REQUEST',
      IdentitySource: 'method.request.header.Authorization,context.httpMethod,context.path,context.identity.sourceIp',
    });
  });
  test('an API without mutual TLS caches decisions for the spec\'s gateway cache TTL', () => {
    plain().template.hasResourceProperties('AWS::ApiGateway::Authorizer', { AuthorizerResultTtlInSeconds: spec.revocation.gatewayCacheSeconds });
  });
  test('an API served with mutual TLS has no cache (a cached allow could outlive a change of client certificate)', () => {
    mtls().template.allResourcesProperties('AWS::ApiGateway::Authorizer', { AuthorizerResultTtlInSeconds: 0 });
  });
});

describe('SecureRestApi authorizer function', () => {
  const f = fixture();
  test('runs nodejs24.x from a code asset', () => {
    f().template.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs24.x', Handler: 'index.handler', ReservedConcurrentExecutions: spec.authorizerConcurrency });
  });
  test('its environment is encrypted with the customer-managed key', () => {
    f().template.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: spec.authorizerConcurrency, KmsKeyArn: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } });
  });
  test('has the spec\'s reserved concurrency', () => {
    f().template.resourcePropertiesCountIs('AWS::Lambda::Function', { ReservedConcurrentExecutions: spec.authorizerConcurrency }, 1);
  });
  test('is traced with X-Ray', () => {
    f().template.hasResourceProperties('AWS::Lambda::Function', { ReservedConcurrentExecutions: spec.authorizerConcurrency, TracingConfig: { Mode: 'Active' } });
  });
  test('its configuration travels in the code asset, not the environment', () => {
    f().template.hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: spec.authorizerConcurrency,
      Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps', AUTHORIZER_CONFIG: Match.absent(), AUTHORIZER_DEPLOY_VALUES: Match.absent() } },
    });
  });
  test('its configuration holds the scopes of each authorized route', () => {
    expect(f().api.authorizerConfig!.routes).toEqual({ 'GET /orders/{id}': { scopes: ['orders:read'] }, 'POST /orders': { scopes: ['orders:write'] } });
  });
  test('its configuration trusts the spec\'s external issuer', () => {
    expect(f().api.authorizerConfig!.issuers).toEqual([expect.objectContaining({ issuer: 'https://login.example.com/oauth2/default', audience: ['api://orders'], algorithms: ['RS256', 'ES256'] })]);
  });
  test('API keys are read from the Authorization header only (the gateway makes that header mandatory)', () => {
    expect(f().api.authorizerConfig).toMatchObject({ tableName: GATEWAY_TABLE_NAME, apiKeys: { header: null } });
  });
});

describe('SecureRestApi authorizer permissions', () => {
  const f = fixture();
  test('the role reads the one table with GetItem/BatchGetItem through a customer-managed policy', () => {
    f().template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: ['dynamodb:GetItem', 'dynamodb:BatchGetItem'],
          Resource: { 'Fn::Join': ['', Match.arrayWith([`:dynamodb:eu-west-1:111111111111:table/${GATEWAY_TABLE_NAME}`])] },
        })]),
      },
    });
  });
  test('the role has no inline policy (the only one is the test backend\'s)', () => {
    f().template.resourceCountIs('AWS::IAM::Policy', 1);
  });
  test('every invoke permission is scoped to execute-api', () => {
    const perms = resourcesOf(f().template, 'AWS::Lambda::Permission').map((p) => JSON.stringify(p.Properties.SourceArn));
    expect(perms.length).toBeGreaterThan(0);
    for (const p of perms) expect(p).toMatch(/execute-api/);
  });
  test('the authorizer may be invoked by this API\'s authorizers', () => {
    const perms = resourcesOf(f().template, 'AWS::Lambda::Permission').map((p) => JSON.stringify(p.Properties.SourceArn));
    expect(perms.some((p) => p.includes('/authorizers/'))).toBe(true);
  });
  test('no permission is granted to the console\'s test-invoke stage', () => {
    const perms = resourcesOf(f().template, 'AWS::Lambda::Permission').map((p) => JSON.stringify(p.Properties.SourceArn));
    expect(perms.some((p) => p.includes('test-invoke-stage'))).toBe(false);
  });
});

describe('SecureRestApi stage', () => {
  const f = fixture();
  const format = (): Record<string, string> => JSON.parse(resourcesOf(f().template, 'AWS::ApiGateway::Stage')[0].Properties.AccessLogSetting.Format);
  test('the stage is named after the API version', () => {
    f().template.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'v1' });
  });
  test('access logs are JSON with the tenant, the caller, the authorizer error and the WAF status', () => {
    expect(format()).toMatchObject({ requestId: '$context.requestId', tenant: '$context.authorizer.tenantId', caller: '$context.identity.caller', authorizerError: '$context.authorizer.error', wafStatus: '$context.waf.status' });
  });
  test('every log group is KMS-encrypted', () => {
    const groups = resourcesOf(f().template, 'AWS::Logs::LogGroup');
    expect(groups.length).toBeGreaterThan(0);
    for (const g of groups) expect(g.Properties.KmsKeyId).toBeDefined();
  });
  test('X-Ray tracing is on', () => {
    f().template.hasResourceProperties('AWS::ApiGateway::Stage', { TracingEnabled: true });
  });
  test('execution logging is ERROR without data trace', () => {
    f().template.hasResourceProperties('AWS::ApiGateway::Stage', { MethodSettings: Match.arrayWith([Match.objectLike({ HttpMethod: '*', ResourcePath: '/*', LoggingLevel: 'ERROR', DataTraceEnabled: false })]) });
  });
  test('the stage is throttled at the spec\'s rate and burst', () => {
    f().template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([
        Match.objectLike({ ThrottlingRateLimit: spec.stageThrottle.rate, ThrottlingBurstLimit: spec.stageThrottle.burst }),
      ]),
    });
  });
  test('the stage presents a client certificate to backends', () => {
    f().template.hasResourceProperties('AWS::ApiGateway::Stage', { ClientCertificateId: { 'Fn::GetAtt': [Match.anyValue(), 'ClientCertificateId'] } });
  });
  test('every KMS key rotates', () => {
    const keys = resourcesOf(f().template, 'AWS::KMS::Key');
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) expect(k.Properties.EnableKeyRotation).toBe(true);
  });
  test('the regional web ACL is associated with the stage', () => {
    f().template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', { ResourceArn: Match.anyValue(), WebACLArn: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } });
  });
});

describe('SecureRestApi request validation', () => {
  const f = fixture();
  test('one validator checks bodies and parameters', () => {
    f().template.resourcePropertiesCountIs('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true, ValidateRequestParameters: true }, 1);
  });
  test('the POST body model is the spec\'s closed schema', () => {
    f().template.hasResourceProperties('AWS::ApiGateway::Model', { ContentType: 'application/json', Schema: Match.objectLike({ additionalProperties: false, required: ['sku', 'quantity'] }) });
  });
  test('a path parameter is a required request parameter', () => {
    expect(methodProps(f(), 'GET /orders/{id}')).toMatchObject({ RequestParameters: { 'method.request.path.id': true }, RequestValidatorId: expect.anything() });
  });
  test('a body in any Content-Type is validated: the POST model is also the $default model', () => {
    const models = methodProps(f(), 'POST /orders').RequestModels as Record<string, unknown>;
    expect(Object.keys(models).sort()).toEqual(['$default', 'application/json']);
    expect(models.$default).toEqual(models['application/json']);
  });
});

describe('SecureRestApi CORS', () => {
  const f = fixture();
  const preflights = (): Array<{ Properties: Record<string, any> }> => resourcesOf(f().template, 'AWS::ApiGateway::Method', { HttpMethod: 'OPTIONS' });
  test('the preflight allows every request header the platform reads: Authorization, the API key header, Idempotency-Key', () => {
    expect(preflights().length).toBeGreaterThan(0);
    for (const m of preflights()) {
      const params = m.Properties.Integration.IntegrationResponses[0].ResponseParameters as Record<string, string>;
      const allowed = params['method.response.header.Access-Control-Allow-Headers'].replace(/'/g, '').toLowerCase().split(',');
      expect(allowed).toEqual(expect.arrayContaining(['Authorization', 'Content-Type', spec.edge.apiKeyHeader, IDEMPOTENCY_KEY_HEADER].map((h) => h.toLowerCase())));
    }
  });
  test('the allowed origins are the spec\'s allowlist', () => {
    expect(JSON.stringify(preflights())).toContain('https://app.example.com');
  });
  test('no preflight allows every origin (*)', () => {
    expect(JSON.stringify(preflights())).not.toContain("'*'");
  });
});

describe('SecureRestApi gateway responses', () => {
  const f = fixture();
  const responses = (): Array<{ Properties: Record<string, any> }> => resourcesOf(f().template, 'AWS::ApiGateway::GatewayResponse');
  test('the 4xx, 5xx, authorizer failure and WAF responses are customized', () => {
    expect(responses().map((r) => r.Properties.ResponseType)).toEqual(expect.arrayContaining(['DEFAULT_4XX', 'DEFAULT_5XX', 'AUTHORIZER_FAILURE', 'WAF_FILTERED']));
  });
  test('every gateway response carries the security headers', () => {
    for (const r of responses()) {
      expect(r.Properties.ResponseParameters).toMatchObject({
        'gatewayresponse.header.Strict-Transport-Security': "'max-age=63072000; includeSubDomains; preload'",
        'gatewayresponse.header.X-Content-Type-Options': "'nosniff'",
        'gatewayresponse.header.X-Frame-Options': "'DENY'",
        'gatewayresponse.header.Content-Security-Policy': "'default-src 'none'; frame-ancestors 'none''",
        'gatewayresponse.header.Cache-Control': "'no-store'",
      });
    }
  });
  test('no gateway response body reveals the error or the authorizer\'s message', () => {
    for (const r of responses()) expect(r.Properties.ResponseTemplates['application/json']).not.toMatch(/\$context\.error\.message|\$context\.authorizer\.error/);
  });
});

describe('SecureRestApi usage plans', () => {
  const f = fixture();
  test('one usage plan per spec plan', () => {
    f().template.resourceCountIs('AWS::ApiGateway::UsagePlan', 2);
  });
  test('a plan has the spec\'s daily quota and throttle', () => {
    f().template.hasResourceProperties('AWS::ApiGateway::UsagePlan', { UsagePlanName: 'orders-orders-v1-standard', Quota: { Limit: 100_000, Period: 'DAY' }, Throttle: { RateLimit: 50, BurstLimit: 100 } });
  });
  test('a route\'s own plan caps that method\'s rate in every plan', () => {
    f().template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      UsagePlanName: 'orders-orders-v1-premium',
      Quota: { Limit: 1_000_000, Period: 'DAY' },
      ApiStages: [Match.objectLike({ Throttle: Match.objectLike({ '/orders/{id}/GET': { RateLimit: 50, BurstLimit: 100 }, '/orders/POST': { RateLimit: 200, BurstLimit: 400 } }) })],
    });
  });
});

describe('SecureRestApi custom domains', () => {
  const f = fixture();
  test('the public origin domain has the TLS 1.3 policy in STRICT mode', () => {
    f().template.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'origin.api.example.com', SecurityPolicy: 'SecurityPolicy_TLS13_1_3_2025_09', EndpointAccessMode: 'STRICT', EndpointConfiguration: { Types: ['REGIONAL'] },
    });
  });
  test('the partner domain has TLS 1.2 and the spec\'s truststore', () => {
    f().template.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'partners.example.com', SecurityPolicy: 'TLS_1_2', MutualTlsAuthentication: { TruststoreUri: 's3://orders-truststore-example/partners.pem' },
    });
  });
  test('the API is mapped on both domains at base path v1', () => {
    f().template.resourcePropertiesCountIs('AWS::ApiGateway::BasePathMapping', { BasePath: 'v1' }, 2);
  });
});

describe('SecureRestApi validation', () => {
  const make = (props: Partial<ConstructorParameters<typeof SecureRestApi>[2]>, s = spec) => () => {
    const { stack } = testStack();
    const backend = lambda.Function.fromFunctionArn(stack, 'B', 'arn:aws:lambda:eu-west-1:111111111111:function:b');
    new SecureRestApi(stack, 'Api', { spec: s, api: 'orders', backend, ...props });
  };
  test('unknown api', () => expect(make({ api: 'billing' })).toThrow(/api\/version must name exactly one API of spec.apis \(received: "billing"/));
  test('cache TTL above 300 s', () => expect(make({ authorizerCacheTtl: Duration.minutes(10) })).toThrow(/authorizerCacheTtl must be between 0 and 300 s .*received: 600 s/));
  test('lambda backend missing', () => expect(make({ backend: undefined })).toThrow(/backend is required: spec API "orders" v1 has a lambda backend/));
  test('client certificate generation', () => expect(make({ clientCertificateGeneration: 0 })).toThrow(/clientCertificateGeneration must be a positive integer \(received: 0\)/));
  test('private backend without VPC link', () => {
    const raw = fixtureSpec('aws');
    const s = resolveSpec({ ...raw, apis: [{ ...raw.apis[0], backend: { kind: 'private', url: 'https://internal.example.com' } }] });
    expect(make({}, s)).toThrow(/vpcLink is required/);
  });
  test('integration timeout out of range: refused once, by the spec (the construct renders a resolved spec)', () => {
    const raw = fixtureSpec('aws');
    const routes = raw.apis[0].routes.map((r, i) => (i === 0 ? { ...r, timeoutMs: 40_000 } : r));
    expect(() => resolveSpec({ ...raw, apis: [{ ...raw.apis[0], routes }] })).toThrow(/apis\[0\]\.routes\[0\]\.timeoutMs.*50 to 29000 ms \(received: 40000\)/);
  });
  test('Cedar policies that do not parse', () => {
    expect(make({ policies: 'permit(principal, action, resource) when { context.a = 1 };' }))
      .toThrow(/policies: the Cedar policies do not parse: .*\(received 59 characters of policy text\); fix the policy syntax/);
  });
  test('policies beyond the 4 KB Lambda environment synthesize: the configuration travels in the code asset', () => {
    const policies = Array.from({ length: 60 }, (_, i) => `permit (principal, action == Action::"GET /orders/{id}", resource) when { context.tenant == "t${i}" };`).join('\n');
    expect(make({ policies })).not.toThrow();
  });
  test('deploy-time values too large for the Lambda environment', () => {
    const clientIds = Array.from({ length: 120 }, (_, i) => Lazy.string({ produce: () => `client-${i}` }));
    const issuers = [{ issuer: 'https://idp.example.com', jwksUri: 'https://idp.example.com/jwks', clientIds }];
    expect(make({ issuers })).toThrow(/config: the authorizer's deploy-time values need about \d+ bytes of environment \(received 120 values\); over 4 KB of Lambda environment variables/);
  });
  test('issuer config rejected by the authorizer validator', () => {
    expect(make({ issuers: [{ issuer: 'http://idp.example.com', jwksUri: 'https://idp.example.com/jwks', audience: ['a'] }] })).toThrow(/authorizer configuration derived from the spec is invalid: .*issuer/);
  });
});
