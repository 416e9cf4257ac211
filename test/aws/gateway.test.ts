import { Duration, Lazy } from 'aws-cdk-lib';
import { Template, Match } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SecureRestApi } from '../../constructs/aws/gateway';
import { acknowledge } from '../../lib/compliance/aws/acknowledge';
import { IDEMPOTENCY_KEY_HEADER, resolveSpec } from '../../lib/spec';
import { fixtureSpec } from '../fixtures/platform-spec';
import { nagFindings, testStack } from '../support/nag';

const spec = resolveSpec(fixtureSpec('aws'));

function backendIn(scope: import('constructs').Construct): lambda.Function {
  const fn = new lambda.Function(scope, 'Backend', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "{}" });'),
    reservedConcurrentExecutions: 5,
    tracing: lambda.Tracing.ACTIVE,
  });
  // Test fixture only: the backend is the user's; the gateway under test does not create it.
  for (const rule of ['AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]', 'AwsSolutions-IAM5[Resource::*]',
    'HIPAA.Security-LambdaDLQ', 'PCI.DSS.321-LambdaDLQ', 'NIST.800.53.R5-LambdaDLQ', 'HIPAA.Security-LambdaInsideVPC', 'PCI.DSS.321-LambdaInsideVPC',
    'NIST.800.53.R5-LambdaInsideVPC', 'NIST.800.53.R5-IAMNoInlinePolicy', 'HIPAA.Security-IAMNoInlinePolicy', 'PCI.DSS.321-IAMNoInlinePolicy']) {
    acknowledge(fn, rule, 'Test fixture standing in for the user-supplied backend; the construct under test does not create it');
  }
  return fn;
}

describe('SecureRestApi', () => {
  const { stack } = testStack('Gateway');
  const backend = backendIn(stack);
  const table = dynamodb.TableV2.fromTableName(stack, 'Table', 'orders-global');
  const api = new SecureRestApi(stack, 'OrdersV1', { spec, api: 'orders', backend, table });
  let template: Template;
  let findings: string[];
  beforeAll(() => {
    template = Template.fromStack(stack);
    findings = nagFindings(stack);
  });

  test('all four packs are clean', () => {
    expect(findings).toEqual([]);
  });

  test('regional endpoint, execute-api endpoint disabled behind the custom domain, API keys from the authorizer', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      Name: 'orders-orders-v1',
      EndpointConfiguration: { Types: ['REGIONAL'] },
      DisableExecuteApiEndpoint: true,
      ApiKeySourceType: 'AUTHORIZER',
    });
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
  });

  test('every method is authorized by the Lambda authorizer except the spec-public routes and CORS preflights', () => {
    const methods = template.findResources('AWS::ApiGateway::Method');
    const unauthorized = Object.values(methods)
      .filter((m) => m.Properties.AuthorizationType !== 'CUSTOM')
      .map((m) => m.Properties.HttpMethod as string);
    expect(unauthorized.sort()).toEqual(['GET', 'OPTIONS', 'OPTIONS', 'OPTIONS']);
    expect(Object.keys(api.methods).sort()).toEqual(['GET /health', 'GET /orders/{id}', 'OPTIONS /health', 'OPTIONS /orders', 'OPTIONS /orders/{id}', 'POST /orders']);
    for (const key of ['GET /orders/{id}', 'POST /orders']) {
      const cfn = api.methods[key].node.defaultChild as import('aws-cdk-lib/aws-apigateway').CfnMethod;
      expect(template.toJSON().Resources[api.methods[key].stack.getLogicalId(cfn)].Properties).toMatchObject({ AuthorizationType: 'CUSTOM', ApiKeyRequired: true });
    }
    const health = api.methods['GET /health'].node.defaultChild as import('aws-cdk-lib/aws-apigateway').CfnMethod;
    expect(template.toJSON().Resources[stack.getLogicalId(health)].Properties).toMatchObject({ AuthorizationType: 'NONE', ApiKeyRequired: false });
  });

  test('authorizer cache keyed on the credential, the method, the full path and the source IP; off for an mTLS API', () => {
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'REQUEST',
      IdentitySource: 'method.request.header.Authorization,context.httpMethod,context.path,context.identity.sourceIp',
      // The example API is also served with mutual TLS: a cached allow could outlive a change of client certificate.
      AuthorizerResultTtlInSeconds: 0,
    });
  });

  test('authorizer function: nodejs24.x asset, KMS-encrypted environment, reserved concurrency, tracing, config from the spec', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      ReservedConcurrentExecutions: spec.authorizerConcurrency,
      KmsKeyArn: Match.anyValue(),
      TracingConfig: { Mode: 'Active' },
      // The configuration is in the code asset; nothing in this API's configuration is only known at deploy.
      Environment: { Variables: { NODE_OPTIONS: '--enable-source-maps', AUTHORIZER_CONFIG: Match.absent(), AUTHORIZER_DEPLOY_VALUES: Match.absent() } },
    });
    const config = api.authorizerConfig!;
    expect(config.routes).toEqual({ 'GET /orders/{id}': { scopes: ['orders:read'] }, 'POST /orders': { scopes: ['orders:write'] } });
    expect(config.issuers).toEqual([expect.objectContaining({ issuer: 'https://login.example.com/oauth2/default', audience: ['api://orders'], algorithms: ['RS256', 'ES256'] })]);
    // Keys travel as `Authorization: ApiKey <key>` only: the gateway's identity sources make that header mandatory.
    expect(config).toMatchObject({ tableName: 'orders-global', apiKeys: { header: null } });
  });

  test('authorizer role: one customer-managed policy, GetItem on the one table, no inline policy', () => {
    template.resourceCountIs('AWS::IAM::Policy', 1); // the test backend's only
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: ['dynamodb:GetItem', 'dynamodb:BatchGetItem'],
          Resource: { 'Fn::Join': ['', Match.arrayWith([':dynamodb:eu-west-1:111111111111:table/orders-global'])] },
        })]),
      },
    });
  });

  test('invoke permission of the authorizer scoped to this API\'s authorizers', () => {
    const perms = Object.values(template.findResources('AWS::Lambda::Permission')).map((p) => JSON.stringify(p.Properties.SourceArn));
    expect(perms.length).toBeGreaterThan(0);
    for (const p of perms) expect(p).toMatch(/execute-api/);
    expect(perms.some((p) => p.includes('/authorizers/'))).toBe(true);
    expect(perms.some((p) => p.includes('test-invoke-stage'))).toBe(false);
  });

  test('stage: JSON access logs with tenant, authorizer error and WAF status to a KMS-encrypted log group; X-Ray; ERROR logging without data trace; throttling; client certificate', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      TracingEnabled: true,
      ClientCertificateId: Match.anyValue(),
      AccessLogSetting: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('"tenant":"\\$context.authorizer.tenantId"') },
      MethodSettings: Match.arrayWith([Match.objectLike({
        HttpMethod: '*',
        ResourcePath: '/*',
        LoggingLevel: 'ERROR',
        DataTraceEnabled: false,
        ThrottlingRateLimit: spec.stageThrottle.rate,
        ThrottlingBurstLimit: spec.stageThrottle.burst,
      })]),
    });
    const format = JSON.parse(template.findResources('AWS::ApiGateway::Stage')[Object.keys(template.findResources('AWS::ApiGateway::Stage'))[0]].Properties.AccessLogSetting.Format);
    expect(format).toMatchObject({ requestId: '$context.requestId', caller: '$context.identity.caller', authorizerError: '$context.authorizer.error', wafStatus: '$context.waf.status' });
    const groups = template.findResources('AWS::Logs::LogGroup');
    for (const g of Object.values(groups)) expect(g.Properties.KmsKeyId).toBeDefined();
  });

  test('keys rotate', () => {
    const keys = Object.values(template.findResources('AWS::KMS::Key'));
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) expect(k.Properties.EnableKeyRotation).toBe(true);
  });

  test('request validation: one validator for body and parameters, the POST body model closed', () => {
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true, ValidateRequestParameters: true });
    template.hasResourceProperties('AWS::ApiGateway::Model', { ContentType: 'application/json', Schema: Match.objectLike({ additionalProperties: false, required: ['sku', 'quantity'] }) });
    template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'GET', RequestParameters: { 'method.request.path.id': true }, RequestValidatorId: Match.anyValue() });
    template.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'POST', RequestModels: { 'application/json': Match.anyValue() }, RequestValidatorId: Match.anyValue() });
  });

  test('a body in any Content-Type is validated: the POST model is also the $default model (no type skips validation)', () => {
    const post = Object.values(template.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'POST' } }))[0];
    const models = post.Properties.RequestModels as Record<string, unknown>;
    expect(Object.keys(models).sort()).toEqual(['$default', 'application/json']);
    expect(models.$default).toEqual(models['application/json']);
  });

  test('the preflight allows every request header the platform reads: Authorization, the API key header, Idempotency-Key', () => {
    const preflights = Object.values(template.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'OPTIONS' } }));
    expect(preflights.length).toBeGreaterThan(0);
    for (const m of preflights) {
      const params = m.Properties.Integration.IntegrationResponses[0].ResponseParameters as Record<string, string>;
      const allowed = params['method.response.header.Access-Control-Allow-Headers'].replace(/'/g, '').toLowerCase().split(',');
      expect(allowed).toEqual(expect.arrayContaining(['Authorization', 'Content-Type', spec.edge.apiKeyHeader, IDEMPOTENCY_KEY_HEADER].map((h) => h.toLowerCase())));
    }
  });

  test('gateway responses carry the security headers and reveal nothing', () => {
    const responses = Object.values(template.findResources('AWS::ApiGateway::GatewayResponse'));
    expect(responses.map((r) => r.Properties.ResponseType)).toEqual(expect.arrayContaining(['DEFAULT_4XX', 'DEFAULT_5XX', 'AUTHORIZER_FAILURE', 'WAF_FILTERED']));
    for (const r of responses) {
      expect(r.Properties.ResponseParameters).toMatchObject({
        'gatewayresponse.header.Strict-Transport-Security': "'max-age=63072000; includeSubDomains; preload'",
        'gatewayresponse.header.X-Content-Type-Options': "'nosniff'",
        'gatewayresponse.header.X-Frame-Options': "'DENY'",
        'gatewayresponse.header.Content-Security-Policy': "'default-src 'none'; frame-ancestors 'none''",
        'gatewayresponse.header.Cache-Control': "'no-store'",
      });
      expect(r.Properties.ResponseTemplates['application/json']).not.toMatch(/\$context\.error\.message|\$context\.authorizer\.error/);
    }
  });

  test('CORS from the allowlist, never *', () => {
    const text = JSON.stringify(template.findResources('AWS::ApiGateway::Method', { Properties: { HttpMethod: 'OPTIONS' } }));
    expect(text).toContain('https://app.example.com');
    expect(text).not.toContain("'*'");
  });

  test('usage plans per spec plan with day quotas; a route plan caps the method', () => {
    template.resourceCountIs('AWS::ApiGateway::UsagePlan', 2);
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      UsagePlanName: 'orders-orders-v1-standard',
      Quota: { Limit: 100_000, Period: 'DAY' },
      Throttle: { RateLimit: 50, BurstLimit: 100 },
    });
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      UsagePlanName: 'orders-orders-v1-premium',
      Quota: { Limit: 1_000_000, Period: 'DAY' },
      ApiStages: [Match.objectLike({ Throttle: Match.objectLike({ '/orders/{id}/GET': { RateLimit: 50, BurstLimit: 100 }, '/orders/POST': { RateLimit: 200, BurstLimit: 400 } }) })],
    });
  });

  test('custom domains: TLS 1.3 STRICT for the public origin domain, TLS 1.2 + truststore for partners, base path v1 on both', () => {
    template.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'origin.api.example.com',
      SecurityPolicy: 'SecurityPolicy_TLS13_1_3_2025_09',
      EndpointAccessMode: 'STRICT',
      EndpointConfiguration: { Types: ['REGIONAL'] },
    });
    template.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'partners.example.com',
      SecurityPolicy: 'TLS_1_2',
      MutualTlsAuthentication: { TruststoreUri: 's3://orders-truststore-example/partners.pem' },
    });
    template.resourcePropertiesCountIs('AWS::ApiGateway::BasePathMapping', { BasePath: 'v1' }, 2);
  });

  test('the regional web ACL is associated with the stage', () => {
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', { ResourceArn: Match.anyValue(), WebACLArn: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } });
  });
});

describe('SecureRestApi validation', () => {
  const make = (props: Partial<import('../../constructs/aws/gateway').SecureRestApiProps>, s = spec) => () => {
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
