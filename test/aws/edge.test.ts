import { Template, Match } from 'aws-cdk-lib/assertions';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { EdgeDistribution, RegionalWaf } from '../../constructs/aws/edge';
import { resolveSpec } from '../../lib/spec';
import { fixtureSpec } from '../fixtures/platform-spec';
import { nagFindings, testStack } from '../support/nag';

const raw = fixtureSpec('aws');
const spec = resolveSpec({ ...raw, apis: [{ ...raw.apis[0], deprecation: { sunset: '2027-01-31' } }] });

describe('RegionalWaf and EdgeDistribution', () => {
  const regional = testStack('Regional');
  const waf = new RegionalWaf(regional.stack, 'Waf', { spec });
  const edge = testStack('Edge', 'us-east-1');
  new EdgeDistribution(edge.stack, 'Edge', { spec });
  let rt: Template;
  let et: Template;
  let findings: string[];
  beforeAll(() => {
    rt = Template.fromStack(regional.stack);
    et = Template.fromStack(edge.stack);
    findings = [...nagFindings(regional.stack), ...nagFindings(edge.stack)];
  });

  test('all four packs are clean', () => expect(findings).toEqual([]));

  const ruleNames = (t: Template): string[] => Object.values(t.findResources('AWS::WAFv2::WebACL'))[0].Properties.Rules.map((r: { Name: string }) => r.Name);

  test('regional ACL: origin verify first, size caps, rate per IP and per API key, managed groups; 8 KB managed body rule counted', () => {
    expect(ruleNames(rt)).toEqual(['RequireOriginVerify', 'SizeCaps', 'RatePerIp', 'RatePerApiKey', 'AWSManagedRulesAmazonIpReputationList',
      'AWSManagedRulesAnonymousIpList', 'AWSManagedRulesCommonRuleSet', 'AWSManagedRulesKnownBadInputsRuleSet', 'AWSManagedRulesSQLiRuleSet']);
    rt.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      AssociationConfig: { RequestBody: { API_GATEWAY: { DefaultSizeInspectionLimit: 'KB_16' } } },
      Rules: Match.arrayWith([
        Match.objectLike({
          Name: 'RatePerApiKey',
          Statement: {
            RateBasedStatement: Match.objectLike({
              Limit: 5000,
              AggregateKeyType: 'CUSTOM_KEYS',
              CustomKeys: [{ Header: { Name: 'authorization', TextTransformations: [{ Priority: 0, Type: 'NONE' }] } }],
              ScopeDownStatement: { ByteMatchStatement: Match.objectLike({ FieldToMatch: { SingleHeader: { Name: 'authorization' } }, PositionalConstraint: 'STARTS_WITH', SearchString: 'apikey ' }) },
            }),
          },
        }),
        Match.objectLike({ Name: 'AWSManagedRulesCommonRuleSet', Statement: { ManagedRuleGroupStatement: Match.objectLike({ RuleActionOverrides: [{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }] }) } }),
      ]),
    });
  });

  test('origin verify: both secret values accepted, health path and partner domain exempt, nothing else', () => {
    const rule = Object.values(rt.findResources('AWS::WAFv2::WebACL'))[0].Properties.Rules[0];
    const text = JSON.stringify(rule);
    expect(text).toContain('{{resolve:secretsmanager:orders/edge/origin-verify:SecretString:current}}');
    expect(text).toContain('{{resolve:secretsmanager:orders/edge/origin-verify:SecretString:previous}}');
    const exempt = rule.Statement.NotStatement.Statement.OrStatement.Statements;
    expect(exempt).toHaveLength(3);
    expect(text).toContain('"SearchString":"/v1/health"');
    expect(text).toContain('"SearchString":"partners.example.com"');
    expect(rule.Action).toEqual({ Block: {} });
  });

  test('per-IP rate only counts direct traffic behind the CDN', () => {
    const rule = Object.values(rt.findResources('AWS::WAFv2::WebACL'))[0].Properties.Rules.find((r: { Name: string }) => r.Name === 'RatePerIp');
    expect(rule.Statement.RateBasedStatement).toMatchObject({ Limit: 2000, AggregateKeyType: 'IP', ScopeDownStatement: { NotStatement: expect.anything() } });
  });

  test('WAF logs to a KMS-encrypted aws-waf-logs- group with credentials redacted', () => {
    for (const t of [rt, et]) {
      t.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: Match.stringLikeRegexp('^aws-waf-logs-orders-'), KmsKeyId: Match.anyValue() });
      t.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', {
        RedactedFields: Match.arrayWith([{ SingleHeader: { Name: 'authorization' } }, { SingleHeader: { Name: 'cookie' } }, { SingleHeader: { Name: 'x-api-key' } }]),
      });
    }
    rt.hasResourceProperties('AWS::WAFv2::LoggingConfiguration', { RedactedFields: Match.arrayWith([{ SingleHeader: { Name: 'x-origin-verify' } }]) });
    expect(waf.webAclArn).toBeDefined();
  });

  test('CloudFront ACL holds the geo and IP rules', () => {
    expect(ruleNames(et).slice(0, 4)).toEqual(['DenyCidrs', 'BlockCountries', 'SizeCaps', 'RatePerIp']);
    et.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'CLOUDFRONT', Rules: Match.arrayWith([Match.objectLike({ Statement: { GeoMatchStatement: { CountryCodes: ['KP'] } } })]) });
    et.hasResourceProperties('AWS::WAFv2::IPSet', { Scope: 'CLOUDFRONT', Addresses: ['198.51.100.0/24'] });
  });

  test('distribution: TLS 1.3 viewer policy, HTTPS-only origin with the origin-verify header, web ACL, no caching, security headers', () => {
    et.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: ['api.example.com'],
        ViewerCertificate: Match.objectLike({ MinimumProtocolVersion: 'TLSv1.3_2025', SslSupportMethod: 'sni-only' }),
        WebACLId: Match.anyValue(),
        Origins: [Match.objectLike({
          DomainName: 'origin.api.example.com',
          CustomOriginConfig: Match.objectLike({ OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] }),
          OriginCustomHeaders: [{ HeaderName: 'x-origin-verify', HeaderValue: '{{resolve:secretsmanager:orders/edge/origin-verify:SecretString:current}}' }],
        })],
        DefaultCacheBehavior: Match.objectLike({ ViewerProtocolPolicy: 'https-only', CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad' }),
      }),
    });
    et.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        Name: 'orders-security-headers',
        SecurityHeadersConfig: Match.objectLike({
          StrictTransportSecurity: { AccessControlMaxAgeSec: 63072000, IncludeSubdomains: true, Preload: true, Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
        }),
      }),
    });
  });

  test('CloudFront access logs (standard logging v2) to a KMS-encrypted log group', () => {
    et.hasResourceProperties('AWS::Logs::DeliverySource', { LogType: 'ACCESS_LOGS', ResourceArn: Match.anyValue() });
    et.hasResourceProperties('AWS::Logs::DeliveryDestination', { OutputFormat: 'json', DestinationResourceArn: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } });
    et.resourceCountIs('AWS::Logs::Delivery', 1);
  });

  test('deprecated version answers with Deprecation and Sunset at the edge', () => {
    et.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        CustomHeadersConfig: { Items: Match.arrayWith([{ Header: 'Deprecation', Value: 'true', Override: true }, { Header: 'Sunset', Value: 'Sun, 31 Jan 2027 00:00:00 GMT', Override: true }]) },
      }),
    });
  });

  test('Shield Advanced: distribution and hosted zone, a protection group, proactive engagement', () => {
    et.resourceCountIs('AWS::Shield::Protection', 2);
    et.hasResourceProperties('AWS::Shield::ProtectionGroup', { Aggregation: 'MAX', Pattern: 'ARBITRARY' });
    et.hasResourceProperties('AWS::Shield::ProactiveEngagement', { ProactiveEngagementStatus: 'ENABLED', EmergencyContactList: [{ EmailAddress: 'soc@example.com', PhoneNumber: '+15555550100', ContactNotes: 'Security operations, 24x7' }] });
  });
});

describe('edge validation', () => {
  test('EdgeDistribution outside us-east-1', () => {
    const { stack } = testStack();
    expect(() => new EdgeDistribution(stack, 'E', { spec })).toThrow(/must be in a us-east-1 stack.*received: eu-west-1/);
  });
  test('old viewer TLS policy', () => {
    const { stack } = testStack('E', 'us-east-1');
    expect(() => new EdgeDistribution(stack, 'E', { spec, minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021 })).toThrow(/minimumProtocolVersion must be TLSv1.3_2025 or TLSv1.2_2025 \(received: TLSv1.2_2021\)/);
  });
  test('Shield without contacts', () => {
    const { stack } = testStack('E', 'us-east-1');
    expect(() => new EdgeDistribution(stack, 'E', { spec: { ...spec, edge: { ...spec.edge, emergencyContacts: [] } }, shieldAdvanced: true })).toThrow(/emergencyContacts must list at least one contact/);
  });
  test('no domain', () => {
    const { stack } = testStack('E', 'us-east-1');
    expect(() => new EdgeDistribution(stack, 'E', { spec: { ...spec, domain: undefined } })).toThrow(/spec.domain is required by EdgeDistribution/);
  });
  test('body cap above WAF inspection', () => {
    const { stack } = testStack();
    // Refused once, by the spec: the WAF renders the resolved spec's cap.
    expect(() => resolveSpec({ ...raw, edge: { ...raw.edge, maxBodyBytes: 100_000 } })).toThrow(/edge\.maxBodyBytes.*received: 100000.*at most 64 KB/);
    expect(stack.node.children).toHaveLength(0);
  });
  test('account takeover prevention without the sign-in inspection', () => {
    const { stack } = testStack();
    expect(() => new RegionalWaf(stack, 'W', { spec: { ...spec, edge: { ...spec.edge, accountTakeoverPrevention: true } } })).toThrow(/accountTakeover is required when spec.edge.accountTakeoverPrevention is true/);
  });
  test('sign-in path must be absolute', () => {
    const { stack } = testStack();
    expect(() => new RegionalWaf(stack, 'W', { spec, accountTakeover: { loginPath: 'login', usernameField: '/u', passwordField: '/p' } })).toThrow(/accountTakeover.loginPath must start with "\/"/);
  });
});
