import { CfnResource, Stack, Tags, Validations } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { NagRuleCompliance } from 'cdk-nag';
import { fresh, l1, run, statusOf } from './rules-helper';
import {
  AccessLogFormat, ApiMethodAuthorizer, AuditBucketObjectLock, AuthFailureAlarm, AuthorizerCacheTtl, CloudTrailMultiRegion,
  CognitoMfaThreatProtection, CorsNoWildcard, CustomDomainTls, DynamoDbProtection, KmsKeyRotation, LambdaReservedConcurrency,
  LogGroupRetention, markAuditArchive, MutualTls, PublicRouteInSpec, ruleContext, SecretRotation, StageWebAcl,
} from '../../lib/compliance';
import { AUDIT_ARCHIVE_ROLE, ROLE_MARKER_KEY, SecureApiChecks } from '../../lib/compliance/aws';
import { fixtureSpec } from '../fixtures/platform-spec';
import { testStack } from '../support/nag';

const { COMPLIANT, NON_COMPLIANT, NOT_APPLICABLE } = NagRuleCompliance;
const root = { 'Fn::GetAtt': ['Api', 'RootResourceId'] };

/** RestApi + /health + /orders/{id} resources. */
function api(stack: Stack): void {
  l1(stack, 'Api', 'AWS::ApiGateway::RestApi', { Name: 'orders' });
  l1(stack, 'Health', 'AWS::ApiGateway::Resource', { RestApiId: { Ref: 'Api' }, ParentId: root, PathPart: 'health' });
  l1(stack, 'Orders', 'AWS::ApiGateway::Resource', { RestApiId: { Ref: 'Api' }, ParentId: root, PathPart: 'orders' });
  l1(stack, 'OrderId', 'AWS::ApiGateway::Resource', { RestApiId: { Ref: 'Api' }, ParentId: { Ref: 'Orders' }, PathPart: '{id}' });
}
const method = (resource: string, httpMethod: string, extra: Record<string, unknown> = {}) =>
  ({ RestApiId: { Ref: 'Api' }, ResourceId: { Ref: resource }, HttpMethod: httpMethod, Integration: { Type: 'AWS_PROXY' }, ...extra });
const spec = { spec: fixtureSpec('aws') };

describe('SecureApi-ApiMethodAuthorizer', () => {
  test('non-compliant: no authorizer, CUSTOM without authorizer id, unknown type, public route not in the spec', () => {
    const s = fresh();
    api(s);
    const a = l1(s, 'A', 'AWS::ApiGateway::Method', method('OrderId', 'GET', { AuthorizationType: 'NONE' }));
    const b = l1(s, 'B', 'AWS::ApiGateway::Method', method('OrderId', 'DELETE', { AuthorizationType: 'CUSTOM' }));
    const c = l1(s, 'C', 'AWS::ApiGateway::Method', method('Orders', 'POST', { AuthorizationType: 'MAGIC', AuthorizerId: 'x' }));
    const d = l1(s, 'D', 'AWS::ApiGateway::Method', method('Health', 'GET'));
    const ctx = ruleContext(spec);
    expect([a, b, c].map((n) => ApiMethodAuthorizer(n, ctx))).toEqual([NON_COMPLIANT, NON_COMPLIANT, NON_COMPLIANT]);
    expect(ApiMethodAuthorizer(d)).toBe(NON_COMPLIANT); // no spec: /health is not public
    expect(run(s, 'ApiMethodAuthorizer', spec).violations).toEqual(['SecureApi-ApiMethodAuthorizer Test/A', 'SecureApi-ApiMethodAuthorizer Test/B', 'SecureApi-ApiMethodAuthorizer Test/C']);
  });

  test('a method whose resource path cannot be derived is a finding (fail closed)', () => {
    const s = fresh();
    l1(s, 'M', 'AWS::ApiGateway::Method', { RestApiId: { Ref: 'X' }, ResourceId: { 'Fn::ImportValue': 'res' }, HttpMethod: 'GET' });
    expect(statusOf(s, 'ApiMethodAuthorizer', 'Test/M', spec)).toBe('fail');
  });

  test('compliant: CUSTOM / Cognito with authorizer, IAM; CORS preflight and spec public route are not applicable', () => {
    const s = fresh();
    api(s);
    l1(s, 'A', 'AWS::ApiGateway::Method', method('OrderId', 'GET', { AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: 'Auth' } }));
    l1(s, 'B', 'AWS::ApiGateway::Method', method('Orders', 'POST', { AuthorizationType: 'COGNITO_USER_POOLS', AuthorizerId: { Ref: 'Auth' } }));
    l1(s, 'C', 'AWS::ApiGateway::Method', method('Orders', 'GET', { AuthorizationType: 'AWS_IAM' }));
    const pre = l1(s, 'P', 'AWS::ApiGateway::Method', { ...method('Orders', 'OPTIONS'), Integration: { Type: 'MOCK' } });
    const health = l1(s, 'H', 'AWS::ApiGateway::Method', method('Health', 'GET', { AuthorizationType: 'NONE' }));
    expect(run(s, 'ApiMethodAuthorizer', spec).results).toEqual([
      'SecureApi-ApiMethodAuthorizer pass Test/A', 'SecureApi-ApiMethodAuthorizer pass Test/B', 'SecureApi-ApiMethodAuthorizer pass Test/C',
    ]);
    expect(ApiMethodAuthorizer(pre)).toBe(NOT_APPLICABLE);
    expect(ApiMethodAuthorizer(health, ruleContext(spec))).toBe(NOT_APPLICABLE);
  });

  test('HTTP API routes: NONE is a finding unless public, JWT with authorizer passes', () => {
    const s = fresh();
    const open = l1(s, 'R1', 'AWS::ApiGatewayV2::Route', { ApiId: { Ref: 'H' }, RouteKey: 'GET /orders/{id}', AuthorizationType: 'NONE' });
    const jwt = l1(s, 'R2', 'AWS::ApiGatewayV2::Route', { ApiId: { Ref: 'H' }, RouteKey: 'GET /orders/{id}', AuthorizationType: 'JWT', AuthorizerId: 'a' });
    const pub = l1(s, 'R3', 'AWS::ApiGatewayV2::Route', { ApiId: { Ref: 'H' }, RouteKey: 'GET /v1/health' });
    expect([ApiMethodAuthorizer(open), ApiMethodAuthorizer(jwt), ApiMethodAuthorizer(pub, ruleContext(spec))])
      .toEqual([NON_COMPLIANT, COMPLIANT, NOT_APPLICABLE]);
  });
});

describe('SecureApi-PublicRouteInSpec', () => {
  test('non-compliant: an unauthorized method the spec does not name (wrong method, wrong path, no spec)', () => {
    const s = fresh();
    api(s);
    l1(s, 'A', 'AWS::ApiGateway::Method', method('Health', 'POST', { AuthorizationType: 'NONE' }));
    l1(s, 'B', 'AWS::ApiGateway::Method', method('OrderId', 'GET'));
    const p = l1(s, 'P', 'AWS::ApiGateway::Method', { ...method('Orders', 'OPTIONS'), Integration: { Type: 'HTTP_PROXY' } });
    expect(run(s, 'PublicRouteInSpec', spec).violations).toEqual(['SecureApi-PublicRouteInSpec Test/A', 'SecureApi-PublicRouteInSpec Test/B', 'SecureApi-PublicRouteInSpec Test/P']);
    expect(PublicRouteInSpec(p)).toBe(NON_COMPLIANT); // an OPTIONS method that reaches a backend is not a preflight
  });

  test('compliant: the spec\'s public route (with or without the version base path) and a MOCK preflight; authorized methods n/a', () => {
    const s = fresh();
    api(s);
    l1(s, 'V1', 'AWS::ApiGateway::Resource', { RestApiId: { Ref: 'Api' }, ParentId: root, PathPart: 'v1' });
    l1(s, 'V1Health', 'AWS::ApiGateway::Resource', { RestApiId: { Ref: 'Api' }, ParentId: { Ref: 'V1' }, PathPart: 'health' });
    l1(s, 'A', 'AWS::ApiGateway::Method', method('Health', 'GET', { AuthorizationType: 'NONE' }));
    l1(s, 'B', 'AWS::ApiGateway::Method', method('V1Health', 'GET', { AuthorizationType: 'NONE' }));
    l1(s, 'P', 'AWS::ApiGateway::Method', { ...method('Orders', 'OPTIONS'), Integration: { Type: 'MOCK' } });
    const authed = l1(s, 'C', 'AWS::ApiGateway::Method', method('Orders', 'GET', { AuthorizationType: 'AWS_IAM' }));
    expect(run(s, 'PublicRouteInSpec', spec).results).toEqual(['SecureApi-PublicRouteInSpec pass Test/A', 'SecureApi-PublicRouteInSpec pass Test/B', 'SecureApi-PublicRouteInSpec pass Test/P']);
    expect(PublicRouteInSpec(authed)).toBe(NOT_APPLICABLE);
    // publicRoutes without a spec work the same way
    expect(statusOf(s, 'PublicRouteInSpec', 'Test/A', { publicRoutes: [{ method: 'GET', path: '/health', reason: 'load balancer health probe' }] })).toBe('pass');
  });
});

describe('SecureApi-AuthorizerCacheTtl', () => {
  test('non-compliant above 300 s or unresolved; compliant at <= 300 and by default', () => {
    const s = fresh();
    const cases = [3600, 301, { Ref: 'Ttl' }, 0, 300, undefined].map((ttl, i) =>
      AuthorizerCacheTtl(l1(s, `A${i}`, 'AWS::ApiGateway::Authorizer', ttl === undefined ? { Type: 'TOKEN' } : { Type: 'TOKEN', AuthorizerResultTtlInSeconds: ttl })));
    expect(cases).toEqual([NON_COMPLIANT, NON_COMPLIANT, NON_COMPLIANT, COMPLIANT, COMPLIANT, COMPLIANT]);
    expect(run(s, 'AuthorizerCacheTtl').violations).toEqual(['SecureApi-AuthorizerCacheTtl Test/A0', 'SecureApi-AuthorizerCacheTtl Test/A1', 'SecureApi-AuthorizerCacheTtl Test/A2']);
  });
});

describe('SecureApi-StageWebAcl', () => {
  const acl = (stack: Stack, id: string, scope: string, rules: unknown[]) => l1(stack, id, 'AWS::WAFv2::WebACL', { Scope: scope, DefaultAction: { Allow: {} }, Rules: rules, VisibilityConfig: {} });
  const rate = { Name: 'rate', Priority: 0, Statement: { RateBasedStatement: { Limit: 2000, AggregateKeyType: 'IP' } }, Action: { Block: {} }, VisibilityConfig: {} };
  const stageArn = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':apigateway:eu-west-1::/restapis/', { Ref: 'Api' }, '/stages/', { Ref: 'Stage' }]] };
  const assoc = (stack: Stack, id: string, aclId: string, arn: unknown = stageArn) => l1(stack, id, 'AWS::WAFv2::WebACLAssociation', { ResourceArn: arn, WebACLArn: { 'Fn::GetAtt': [aclId, 'Arn'] } });

  test('non-compliant: no association, CLOUDFRONT-scope ACL, ACL without a blocking rate rule, association to another stage', () => {
    const variants: ((s: Stack) => void)[] = [
      () => undefined,
      (s) => { acl(s, 'Acl', 'CLOUDFRONT', [rate]); assoc(s, 'As', 'Acl'); },
      (s) => { acl(s, 'Acl', 'REGIONAL', [{ ...rate, Action: { Count: {} } }]); assoc(s, 'As', 'Acl'); },
      (s) => { acl(s, 'Acl', 'REGIONAL', [rate]); assoc(s, 'As', 'Acl', { 'Fn::Join': ['', ['arn:aws:apigateway:eu-west-1::/restapis/', { Ref: 'Api' }, '/stages/other']] }); },
    ];
    for (const setup of variants) {
      const s = fresh();
      const stage = l1(s, 'Stage', 'AWS::ApiGateway::Stage', { RestApiId: { Ref: 'Api' }, StageName: 'prod' });
      setup(s);
      expect(StageWebAcl(stage)).toBe(NON_COMPLIANT);
      expect(run(s, 'StageWebAcl').violations).toEqual(['SecureApi-StageWebAcl Test/Stage']);
    }
  });

  test('compliant: a regional ACL with a blocking rate-based rule associated by Ref or by stage name', () => {
    const s = fresh();
    l1(s, 'Stage', 'AWS::ApiGateway::Stage', { RestApiId: { Ref: 'Api' }, StageName: 'prod' });
    acl(s, 'Acl', 'REGIONAL', [rate]);
    assoc(s, 'As', 'Acl');
    expect(statusOf(s, 'StageWebAcl', 'Test/Stage')).toBe('pass');
    const t = fresh();
    const stage = l1(t, 'Stage', 'AWS::ApiGateway::Stage', { RestApiId: { Ref: 'Api' }, StageName: 'prod' });
    acl(t, 'Acl', 'REGIONAL', [rate]);
    assoc(t, 'As', 'Acl', { 'Fn::Join': ['', ['arn:aws:apigateway:eu-west-1::/restapis/', { Ref: 'Api' }, '/stages/prod']] });
    expect(StageWebAcl(stage)).toBe(COMPLIANT);
  });
});

describe('SecureApi-CustomDomainTls', () => {
  test('non-compliant: TLS 1.0, TLS 1.2 without mTLS at the 1.3 default, unknown or unresolved policy, weak CloudFront', () => {
    const s = fresh();
    const d = (id: string, props: Record<string, unknown>) => CustomDomainTls(l1(s, id, 'AWS::ApiGateway::DomainName', { DomainName: `${id.toLowerCase()}.example.com`, ...props }));
    expect([d('A', { SecurityPolicy: 'TLS_1_0' }), d('B', { SecurityPolicy: 'TLS_1_2' }), d('C', {}), d('D', { SecurityPolicy: { Ref: 'P' } }), d('E', { SecurityPolicy: 'SecurityPolicy_TLS13_1_2_PQ_2025_09' })])
      .toEqual([NON_COMPLIANT, NON_COMPLIANT, NON_COMPLIANT, NON_COMPLIANT, NON_COMPLIANT]);
    const cf = l1(s, 'Cf', 'AWS::CloudFront::Distribution', { DistributionConfig: { ViewerCertificate: { AcmCertificateArn: 'arn:cert', MinimumProtocolVersion: 'TLSv1.2_2021', SslSupportMethod: 'sni-only' } } });
    expect(CustomDomainTls(cf)).toBe(NON_COMPLIANT);
    expect(run(s, 'CustomDomainTls').violations).toHaveLength(6);
  });

  test('compliant: TLS 1.3 policies; TLS 1.2 on an mTLS domain; 1.2 floor when asked; default CloudFront certificate n/a', () => {
    const s = fresh();
    l1(s, 'A', 'AWS::ApiGateway::DomainName', { DomainName: 'api.example.com', SecurityPolicy: 'SecurityPolicy_TLS13_1_3_2025_09', EndpointAccessMode: 'STRICT' });
    l1(s, 'B', 'AWS::ApiGateway::DomainName', { DomainName: 'partners.example.com', SecurityPolicy: 'TLS_1_2', MutualTlsAuthentication: { TruststoreUri: 's3://t/p.pem' } });
    l1(s, 'C', 'AWS::CloudFront::Distribution', { DistributionConfig: { ViewerCertificate: { AcmCertificateArn: 'arn:cert', MinimumProtocolVersion: 'TLSv1.3_2025', SslSupportMethod: 'sni-only' } } });
    const def = l1(s, 'D', 'AWS::CloudFront::Distribution', { DistributionConfig: { ViewerCertificate: { CloudFrontDefaultCertificate: true } } });
    expect(run(s, 'CustomDomainTls').results).toEqual(['SecureApi-CustomDomainTls pass Test/A', 'SecureApi-CustomDomainTls pass Test/B', 'SecureApi-CustomDomainTls pass Test/C']);
    expect(CustomDomainTls(def)).toBe(NOT_APPLICABLE);
    const pq = l1(s, 'E', 'AWS::ApiGateway::DomainName', { DomainName: 'pq.example.com', SecurityPolicy: 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09' });
    expect(CustomDomainTls(pq, ruleContext({ minTlsVersion: '1.2' }))).toBe(COMPLIANT);
  });
});

describe('SecureApi-MutualTls', () => {
  test('non-compliant: the spec\'s partner domain without a truststore, or with an unreadable name', () => {
    const s = fresh();
    l1(s, 'A', 'AWS::ApiGateway::DomainName', { DomainName: 'partners.example.com', SecurityPolicy: 'TLS_1_2' });
    l1(s, 'B', 'AWS::ApiGateway::DomainName', { DomainName: { Ref: 'Name' }, SecurityPolicy: 'TLS_1_2' });
    l1(s, 'C', 'AWS::ApiGateway::DomainName', { DomainName: 'partners.example.com', MutualTlsAuthentication: { TruststoreUri: 'https://x/p.pem' } });
    expect(run(s, 'MutualTls', spec).violations).toEqual(['SecureApi-MutualTls Test/A', 'SecureApi-MutualTls Test/B', 'SecureApi-MutualTls Test/C']);
  });

  test('compliant with an s3 truststore; other domains and specs without mTLS are n/a', () => {
    const s = fresh();
    l1(s, 'A', 'AWS::ApiGateway::DomainName', { DomainName: 'partners.example.com', SecurityPolicy: 'TLS_1_2', MutualTlsAuthentication: { TruststoreUri: 's3://orders-truststore-example/partners.pem' } });
    const pub = l1(s, 'B', 'AWS::ApiGateway::DomainName', { DomainName: 'api.example.com' });
    expect(run(s, 'MutualTls', spec).results).toEqual(['SecureApi-MutualTls pass Test/A']);
    expect(MutualTls(pub)).toBe(NOT_APPLICABLE);
  });
});

describe('SecureApi-CorsNoWildcard', () => {
  const authed = (s: Stack) => l1(s, 'Auth', 'AWS::ApiGateway::Method', { RestApiId: { Ref: 'Api' }, ResourceId: root, HttpMethod: 'GET', AuthorizationType: 'CUSTOM', AuthorizerId: 'a' });
  test('non-compliant: gateway response *, OPTIONS integration *, reflected Origin, HTTP API *', () => {
    const s = fresh();
    authed(s);
    l1(s, 'Gr', 'AWS::ApiGateway::GatewayResponse', { RestApiId: { Ref: 'Api' }, ResponseType: 'DEFAULT_4XX', ResponseParameters: { 'gatewayresponse.header.Access-Control-Allow-Origin': "'*'" } });
    l1(s, 'Opt', 'AWS::ApiGateway::Method', { RestApiId: { Ref: 'Api' }, ResourceId: root, HttpMethod: 'OPTIONS', Integration: { Type: 'MOCK', IntegrationResponses: [{ StatusCode: '204', ResponseParameters: { 'method.response.header.Access-Control-Allow-Origin': "'*'" } }] } });
    l1(s, 'Refl', 'AWS::ApiGateway::GatewayResponse', { RestApiId: { Ref: 'Api' }, ResponseType: 'DEFAULT_5XX', ResponseParameters: { 'gatewayresponse.header.access-control-allow-origin': 'method.request.header.Origin' } });
    l1(s, 'Http', 'AWS::ApiGatewayV2::Api', { Name: 'h', ProtocolType: 'HTTP', CorsConfiguration: { AllowOrigins: ['*'] } });
    expect(run(s, 'CorsNoWildcard').violations).toEqual(['SecureApi-CorsNoWildcard Test/Gr', 'SecureApi-CorsNoWildcard Test/Opt', 'SecureApi-CorsNoWildcard Test/Refl', 'SecureApi-CorsNoWildcard Test/Http']);
  });

  test('compliant: exact origins; a wildcard on an API with no authorized method is n/a', () => {
    const s = fresh();
    authed(s);
    l1(s, 'Gr', 'AWS::ApiGateway::GatewayResponse', { RestApiId: { Ref: 'Api' }, ResponseType: 'DEFAULT_4XX', ResponseParameters: { 'gatewayresponse.header.Access-Control-Allow-Origin': "'https://app.example.com'" } });
    expect(statusOf(s, 'CorsNoWildcard', 'Test/Gr')).toBe('pass');
    const open = l1(s, 'Open', 'AWS::ApiGateway::GatewayResponse', { RestApiId: { Ref: 'Public' }, ResponseType: 'DEFAULT_4XX', ResponseParameters: { 'gatewayresponse.header.Access-Control-Allow-Origin': "'*'" } });
    expect(CorsNoWildcard(open)).toBe(NOT_APPLICABLE);
  });
});

describe('SecureApi-AccessLogFormat', () => {
  const full = JSON.stringify({ requestId: '$context.requestId', principalId: '$context.authorizer.principalId', tenant: '$context.authorizer.tenantId', authorizerError: '$context.authorizer.error', wafStatus: '$context.waf.status', status: '$context.status' });
  const stage = (s: Stack, id: string, setting?: unknown) => l1(s, id, 'AWS::ApiGateway::Stage', { RestApiId: { Ref: 'Api' }, StageName: 'prod', ...(setting ? { AccessLogSetting: setting } : {}) });
  test('non-compliant: no access log, CLF format, missing tenant / WAF status, unresolved format', () => {
    const s = fresh();
    stage(s, 'A');
    stage(s, 'B', { DestinationArn: 'arn:log', Format: '$context.identity.sourceIp $context.requestId' });
    stage(s, 'C', { DestinationArn: 'arn:log', Format: full.replace('$context.authorizer.tenantId', '$context.identity.sourceIp') });
    stage(s, 'D', { DestinationArn: 'arn:log', Format: full.replace('$context.waf.status', '$context.status') });
    stage(s, 'E', { DestinationArn: 'arn:log', Format: { 'Fn::Sub': '${X}' } });
    expect(run(s, 'AccessLogFormat').violations).toEqual(['A', 'B', 'C', 'D', 'E'].map((x) => `SecureApi-AccessLogFormat Test/${x}`));
  });
  test('compliant: JSON with every required field (unquoted numeric variables allowed)', () => {
    const s = fresh();
    const a = stage(s, 'A', { DestinationArn: 'arn:log', Format: full.replace('"$context.status"', '$context.status') });
    expect(AccessLogFormat(a)).toBe(COMPLIANT);
    expect(statusOf(s, 'AccessLogFormat', 'Test/A')).toBe('pass');
  });
});

describe('SecureApi-CognitoMfaThreatProtection', () => {
  test('non-compliant: MFA optional, threat protection AUDIT or off; compliant: ON + ENFORCED', () => {
    const s = fresh();
    l1(s, 'A', 'AWS::Cognito::UserPool', { MfaConfiguration: 'OPTIONAL', UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' } });
    l1(s, 'B', 'AWS::Cognito::UserPool', { MfaConfiguration: 'ON', UserPoolAddOns: { AdvancedSecurityMode: 'AUDIT' } });
    l1(s, 'C', 'AWS::Cognito::UserPool', { MfaConfiguration: 'ON' });
    const ok = l1(s, 'D', 'AWS::Cognito::UserPool', { MfaConfiguration: 'ON', UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' } });
    expect(run(s, 'CognitoMfaThreatProtection').violations).toEqual(['A', 'B', 'C'].map((x) => `SecureApi-CognitoMfaThreatProtection Test/${x}`));
    expect(CognitoMfaThreatProtection(ok)).toBe(COMPLIANT);
  });
});

describe('SecureApi-LambdaReservedConcurrency', () => {
  const fnArn = (id: string) => ({ 'Fn::Join': ['', ['arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/', { 'Fn::GetAtt': [id, 'Arn'] }, '/invocations']] });
  test('non-compliant: authorizer and integration functions without reserved concurrency (plain CfnResource included)', () => {
    const s = fresh();
    l1(s, 'Api', 'AWS::ApiGateway::RestApi', { Name: 'a' });
    l1(s, 'AuthFn', 'AWS::Lambda::Function', { Runtime: 'nodejs22.x' });
    l1(s, 'Backend', 'AWS::Lambda::Function', { Runtime: 'nodejs22.x', ReservedConcurrentExecutions: 0 });
    l1(s, 'Auth', 'AWS::ApiGateway::Authorizer', { RestApiId: { Ref: 'Api' }, Type: 'TOKEN', AuthorizerUri: fnArn('AuthFn') });
    l1(s, 'M', 'AWS::ApiGateway::Method', { RestApiId: { Ref: 'Api' }, ResourceId: root, HttpMethod: 'GET', Integration: { Type: 'AWS_PROXY', Uri: fnArn('Backend') } });
    expect(run(s, 'LambdaReservedConcurrency').violations).toEqual(['SecureApi-LambdaReservedConcurrency Test/AuthFn', 'SecureApi-LambdaReservedConcurrency Test/Backend']);
  });
  test('compliant with reserved concurrency; functions behind no API or a PRIVATE API are n/a', () => {
    const s = fresh();
    l1(s, 'Api', 'AWS::ApiGateway::RestApi', { Name: 'a' });
    l1(s, 'Priv', 'AWS::ApiGateway::RestApi', { Name: 'p', EndpointConfiguration: { Types: ['PRIVATE'] } });
    l1(s, 'AuthFn', 'AWS::Lambda::Function', { ReservedConcurrentExecutions: 20 });
    const internal = l1(s, 'Internal', 'AWS::Lambda::Function', {});
    const priv = l1(s, 'PrivFn', 'AWS::Lambda::Function', {});
    l1(s, 'Auth', 'AWS::ApiGateway::Authorizer', { RestApiId: { Ref: 'Api' }, Type: 'TOKEN', AuthorizerUri: fnArn('AuthFn') });
    l1(s, 'M', 'AWS::ApiGateway::Method', { RestApiId: { Ref: 'Priv' }, ResourceId: root, HttpMethod: 'GET', Integration: { Type: 'AWS_PROXY', Uri: fnArn('PrivFn') } });
    expect(run(s, 'LambdaReservedConcurrency').results).toEqual(['SecureApi-LambdaReservedConcurrency pass Test/AuthFn']);
    expect([LambdaReservedConcurrency(internal), LambdaReservedConcurrency(priv)]).toEqual([NOT_APPLICABLE, NOT_APPLICABLE]);
  });
});

describe('SecureApi-KmsKeyRotation', () => {
  test('non-compliant: rotation off, period over a year, unresolved origin; n/a: CloudHSM, asymmetric, replica; compliant: on', () => {
    const s = fresh();
    l1(s, 'A', 'AWS::KMS::Key', { KeyPolicy: {} });
    l1(s, 'B', 'AWS::KMS::Key', { EnableKeyRotation: true, RotationPeriodInDays: 730 });
    l1(s, 'C', 'AWS::KMS::Key', { EnableKeyRotation: true, Origin: { Ref: 'Origin' } });
    const hsm = l1(s, 'D', 'AWS::KMS::Key', { Origin: 'AWS_CLOUDHSM' });
    const rsa = l1(s, 'E', 'AWS::KMS::Key', { KeySpec: 'RSA_2048' });
    const replica = l1(s, 'F', 'AWS::KMS::ReplicaKey', { PrimaryKeyArn: 'arn:k' });
    const ok = l1(s, 'G', 'AWS::KMS::Key', { EnableKeyRotation: true });
    expect(run(s, 'KmsKeyRotation').violations).toEqual(['A', 'B', 'C'].map((x) => `SecureApi-KmsKeyRotation Test/${x}`));
    expect([KmsKeyRotation(hsm), KmsKeyRotation(rsa), KmsKeyRotation(replica), KmsKeyRotation(ok)])
      .toEqual([NOT_APPLICABLE, NOT_APPLICABLE, NOT_APPLICABLE, COMPLIANT]);
  });
});

describe('SecureApi-SecretRotation', () => {
  test('non-compliant without a schedule or with a schedule for another secret; compliant with one', () => {
    const s = fresh();
    l1(s, 'A', 'AWS::SecretsManager::Secret', {});
    l1(s, 'B', 'AWS::SecretsManager::Secret', {});
    l1(s, 'Rs', 'AWS::SecretsManager::RotationSchedule', { SecretId: { Ref: 'B' }, RotationLambdaARN: 'arn:fn', RotationRules: { ScheduleExpression: 'rate(30 days)' } });
    l1(s, 'C', 'AWS::SecretsManager::Secret', {});
    l1(s, 'Other', 'AWS::SecretsManager::RotationSchedule', { SecretId: 'arn:secret:elsewhere', RotationLambdaARN: 'arn:fn', RotationRules: {} });
    expect(run(s, 'SecretRotation').results).toEqual(['SecureApi-SecretRotation fail Test/A', 'SecureApi-SecretRotation pass Test/B', 'SecureApi-SecretRotation fail Test/C']);
    expect(SecretRotation(s.node.findChild('B') as never)).toBe(COMPLIANT);
  });
});

describe('SecureApi-AuditBucketObjectLock', () => {
  const lock = (mode: string, retention: Record<string, number>) => ({ ObjectLockEnabled: true, ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: mode, ...retention } } } });
  test('non-compliant: marked bucket without lock, GOVERNANCE, retention below the profile minimum (HIPAA: 6 years)', () => {
    const s = fresh();
    const buckets = [{}, lock('GOVERNANCE', { Years: 7 }), lock('COMPLIANCE', { Years: 5 }), lock('COMPLIANCE', { Days: 365 })].map((p, i) => {
      const b = l1(s, `B${i}`, 'AWS::S3::Bucket', p);
      markAuditArchive(b);
      return b;
    });
    expect(buckets.map((b) => AuditBucketObjectLock(b, ruleContext({ profiles: ['HIPAA'] })))).toEqual([NON_COMPLIANT, NON_COMPLIANT, NON_COMPLIANT, NON_COMPLIANT]);
    expect(run(s, 'AuditBucketObjectLock', { profiles: ['HIPAA'] }).violations).toHaveLength(4);
  });
  test('compliant: COMPLIANCE mode, 7 years, marked by metadata or by tag; unmarked buckets n/a', () => {
    const s = fresh();
    markAuditArchive(l1(s, 'A', 'AWS::S3::Bucket', lock('COMPLIANCE', { Years: 7 })));
    l1(s, 'T', 'AWS::S3::Bucket', { ...lock('COMPLIANCE', { Days: 2557 }), Tags: [{ Key: 'secure-api:role', Value: 'audit-archive' }] });
    const plain = l1(s, 'P', 'AWS::S3::Bucket', {});
    expect(run(s, 'AuditBucketObjectLock', spec).results).toEqual(['SecureApi-AuditBucketObjectLock pass Test/A', 'SecureApi-AuditBucketObjectLock pass Test/T']);
    expect(AuditBucketObjectLock(plain)).toBe(NOT_APPLICABLE);
  });
});

describe('SecureApi-CloudTrailMultiRegion', () => {
  test('non-compliant: single region, no validation; compliant: both on', () => {
    const s = fresh();
    l1(s, 'A', 'AWS::CloudTrail::Trail', { IsLogging: true, IsMultiRegionTrail: false, EnableLogFileValidation: true });
    l1(s, 'B', 'AWS::CloudTrail::Trail', { IsLogging: true, IsMultiRegionTrail: true });
    const ok = l1(s, 'C', 'AWS::CloudTrail::Trail', { IsLogging: true, IsMultiRegionTrail: true, EnableLogFileValidation: true });
    expect(run(s, 'CloudTrailMultiRegion').violations).toEqual(['SecureApi-CloudTrailMultiRegion Test/A', 'SecureApi-CloudTrailMultiRegion Test/B']);
    expect(CloudTrailMultiRegion(ok)).toBe(COMPLIANT);
  });
});

describe('SecureApi-AuthFailureAlarm', () => {
  test('non-compliant: no alarm, an alarm without actions, an alarm on another metric', () => {
    for (const alarm of [undefined, { Namespace: 'AWS/ApiGateway', MetricName: '4XXError', AlarmActions: [] }, { Namespace: 'AWS/ApiGateway', MetricName: '5XXError', AlarmActions: ['arn:topic'] }]) {
      const s = fresh();
      const rest = l1(s, 'Api', 'AWS::ApiGateway::RestApi', { Name: 'a' });
      if (alarm) l1(s, 'Al', 'AWS::CloudWatch::Alarm', { ComparisonOperator: 'GreaterThanThreshold', EvaluationPeriods: 1, Threshold: 10, ...alarm });
      expect(AuthFailureAlarm(rest)).toBe(NON_COMPLIANT);
      expect(run(s, 'AuthFailureAlarm').violations).toEqual(['SecureApi-AuthFailureAlarm Test/Api']);
    }
  });
  test('compliant: 4XXError alarm with an action, or an alarm on a 401/403 metric filter (metric math)', () => {
    const s = fresh();
    l1(s, 'Api', 'AWS::ApiGateway::RestApi', { Name: 'a' });
    l1(s, 'Al', 'AWS::CloudWatch::Alarm', { Namespace: 'AWS/ApiGateway', MetricName: '4XXError', AlarmActions: ['arn:topic'] });
    expect(statusOf(s, 'AuthFailureAlarm', 'Test/Api')).toBe('pass');
    const t = fresh();
    const rest = l1(t, 'Api', 'AWS::ApiGatewayV2::Api', { Name: 'a' });
    l1(t, 'F', 'AWS::Logs::MetricFilter', { FilterPattern: '{ $.status = 401 || $.status = 403 }', LogGroupName: 'x', MetricTransformations: [{ MetricNamespace: 'Orders', MetricName: 'AuthFailures', MetricValue: '1' }] });
    l1(t, 'Al', 'AWS::CloudWatch::Alarm', { AlarmActions: ['arn:topic'], Metrics: [{ Id: 'm', MetricStat: { Metric: { Namespace: 'Orders', MetricName: 'AuthFailures' }, Period: 60, Stat: 'Sum' } }] });
    expect(AuthFailureAlarm(rest)).toBe(COMPLIANT);
  });
});

describe('SecureApi-LogGroupRetention', () => {
  test('non-compliant below the minimum or unresolved; compliant at the minimum or never-expire', () => {
    const s = fresh();
    l1(s, 'A', 'AWS::Logs::LogGroup', { RetentionInDays: 30 });
    l1(s, 'B', 'AWS::Logs::LogGroup', { RetentionInDays: { Ref: 'Days' } });
    const ok = l1(s, 'C', 'AWS::Logs::LogGroup', { RetentionInDays: 365 });
    const forever = l1(s, 'D', 'AWS::Logs::LogGroup', {});
    expect(run(s, 'LogGroupRetention', { profiles: ['PCI_DSS'] }).violations).toEqual(['SecureApi-LogGroupRetention Test/A', 'SecureApi-LogGroupRetention Test/B']);
    expect([LogGroupRetention(ok), LogGroupRetention(forever)]).toEqual([COMPLIANT, COMPLIANT]);
    // AWS Solutions alone asks 90 days
    expect(LogGroupRetention(l1(s, 'E', 'AWS::Logs::LogGroup', { RetentionInDays: 90 }), ruleContext({ profiles: ['AWS_SOLUTIONS'] }))).toBe(COMPLIANT);
  });
});

describe('SecureApi-DynamoDbProtection', () => {
  test('non-compliant: table without PITR or deletion protection, global table replica without; compliant: both everywhere', () => {
    const s = fresh();
    l1(s, 'A', 'AWS::DynamoDB::Table', { DeletionProtectionEnabled: true });
    l1(s, 'B', 'AWS::DynamoDB::Table', { PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } });
    const replica = { Region: 'eu-west-1', DeletionProtectionEnabled: true, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } };
    l1(s, 'G', 'AWS::DynamoDB::GlobalTable', { Replicas: [replica, { Region: 'eu-central-1', DeletionProtectionEnabled: true }] });
    const ok = l1(s, 'T', 'AWS::DynamoDB::Table', { DeletionProtectionEnabled: true, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } });
    const okGlobal = l1(s, 'H', 'AWS::DynamoDB::GlobalTable', { Replicas: [replica, { ...replica, Region: 'eu-central-1' }] });
    expect(run(s, 'DynamoDbProtection').violations).toEqual(['A', 'B', 'G'].map((x) => `SecureApi-DynamoDbProtection Test/${x}`));
    expect([DynamoDbProtection(ok), DynamoDbProtection(okGlobal)]).toEqual([COMPLIANT, COMPLIANT]);
  });
});

describe('rules read the resource as the synthesized template has it', () => {
  const key = (s: Stack, id: string, rotation: boolean): kms.CfnKey =>
    new kms.Key(s, id, { enableKeyRotation: rotation }).node.defaultChild as kms.CfnKey;

  test('addPropertyOverride: a key whose rotation is turned on by an escape hatch is compliant', () => {
    const s = fresh();
    const k = key(s, 'K', false);
    k.addPropertyOverride('EnableKeyRotation', true);
    expect(KmsKeyRotation(k)).toBe(COMPLIANT);
    expect(statusOf(s, 'KmsKeyRotation', 'Test/K/Resource')).toBe('pass');
  });

  test('addOverride: a key whose rotation is turned off by an escape hatch is a finding', () => {
    const s = fresh();
    const k = key(s, 'K', true);
    k.addOverride('Properties.EnableKeyRotation', false);
    expect(KmsKeyRotation(k)).toBe(NON_COMPLIANT);
    expect(run(s, 'KmsKeyRotation').violations).toEqual(['SecureApi-KmsKeyRotation Test/K/Resource']);
  });

  test('a tag applied with Tags.of marks the audit archive (tags are rendered at synthesis)', () => {
    const s = fresh();
    const bucket = new s3.Bucket(s, 'Archive');
    Tags.of(bucket).add(ROLE_MARKER_KEY, AUDIT_ARCHIVE_ROLE);
    expect(AuditBucketObjectLock(bucket.node.defaultChild as CfnResource)).toBe(NON_COMPLIANT);
  });

  test('a change made after a first check is seen by the next one', () => {
    const s = fresh();
    const k = key(s, 'K', false);
    expect(KmsKeyRotation(k)).toBe(NON_COMPLIANT);
    k.addPropertyOverride('EnableKeyRotation', true);
    expect(KmsKeyRotation(k)).toBe(COMPLIANT);
  });

  test('run by CDK as a validation plugin, the pack reads the templates CDK wrote (overrides included)', () => {
    const { app, stack } = testStack();
    key(stack, 'Off', true).addPropertyOverride('EnableKeyRotation', false);
    key(stack, 'On', false).addPropertyOverride('EnableKeyRotation', true);
    Validations.of(app).addPlugins(new SecureApiChecks(undefined, { only: ['KmsKeyRotation'] }));
    let report = '';
    try {
      app.synth();
    } catch (e) {
      report = String(e);
    }
    expect(report).toMatch(/Test\/Off\/Resource[\s\S]*SecureApi-KmsKeyRotation/);
    expect(report).not.toContain('Test/On/Resource');
  });
});
