import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { CfnAccount } from 'aws-cdk-lib/aws-apigateway';
import { SecureApiPlatform } from '../../constructs/aws';
import { buildExampleApp } from '../../examples/aws/app';
import { exampleSpec } from '../../examples/spec';
import { beforeYouDeploy, externalInputs, readAssembly, unproducedReads } from '../support/first-deploy';

// The example's showcase (`npx cdk synth -c lean=false`), CDK's template validation on, every compliance pack registered.
let outdir: string;
let platform: SecureApiPlatform;
let templates: Record<string, Template>;
const REGIONS = ['eu-west-1', 'eu-central-1'];

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'platform-'));
  const app = new App({ outdir, context: { lean: 'false', allowPlaceholders: 'true' } });
  platform = buildExampleApp(app);
  const assembly = app.synth();
  templates = Object.fromEntries(assembly.stacks.map((s) => [s.stackName, Template.fromJSON(s.template as Record<string, unknown>)]));
});

describe('the example platform', () => {
  test('writes one keys and one platform stack per region, the global stack and the us-east-1 edge', () => {
    expect(Object.keys(templates).sort()).toEqual([
      'Orders-Edge', 'Orders-EdgeKeys', 'Orders-Global', 'Orders-HealthAlarms', 'Orders-Keys-eu-central-1', 'Orders-Keys-eu-west-1', 'Orders-Region-eu-central-1', 'Orders-Region-eu-west-1',
    ]);
    expect(platform.edge?.region).toBe('us-east-1');
    expect(platform.global.region).toBe('eu-west-1');
  });

  test('deploys in the fixed order: keys, global data, regional platforms, edge', () => {
    const deps = (s: Stack) => s.dependencies.map((d) => d.stackName).sort();
    expect(deps(platform.keys['eu-central-1'])).toEqual(['Orders-Keys-eu-west-1']);
    expect(deps(platform.global)).toEqual(['Orders-EdgeKeys', 'Orders-Keys-eu-central-1', 'Orders-Keys-eu-west-1']);
    for (const r of REGIONS) expect(deps(platform.regions[r])).toEqual(expect.arrayContaining(['Orders-Global', `Orders-Keys-${r}`]));
    expect(deps(platform.edge!)).toEqual(expect.arrayContaining(['Orders-Region-eu-central-1', 'Orders-Region-eu-west-1']));
  });

  test('no token crosses a region: every import comes from a stack of the same region, no cross-region export readers', () => {
    const regionOf = (name: string) => (name === 'Orders-Global' ? 'eu-west-1' : name.startsWith('Orders-Edge') ? 'us-east-1' : name.replace(/^Orders-(Keys|Region)-/, ''));
    for (const [name, t] of Object.entries(templates)) {
      const json = JSON.stringify(t.toJSON());
      expect(json).not.toMatch(/Custom::CrossRegionExport/);
      for (const m of json.matchAll(/"Fn::ImportValue":"(Orders-[A-Za-z0-9-]+?):/g)) {
        expect(`${name} imports from ${m[1]} in ${regionOf(m[1])}`).toBe(`${name} imports from ${m[1]} in ${regionOf(name)}`);
      }
    }
  });

  test.each(REGIONS)('%s has its WAF on the stage, the authorizer on the methods, alarms and a dashboard', (region) => {
    const t = templates[`Orders-Region-${region}`];
    t.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'REGIONAL', Rules: Match.arrayWith([Match.objectLike({ Statement: Match.objectLike({ RateBasedStatement: Match.anyValue() }) })]) });
    t.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
    t.hasResourceProperties('AWS::ApiGateway::Authorizer', { Type: 'REQUEST', AuthorizerResultTtlInSeconds: 0 });
    t.hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'POST', AuthorizationType: 'CUSTOM' });
    t.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs24.x', ReservedConcurrentExecutions: 20 });
    t.hasResourceProperties('AWS::CloudWatch::Dashboard', {});
    expect(Object.keys(t.findResources('AWS::CloudWatch::Alarm')).length).toBeGreaterThan(10);
    t.hasResourceProperties('AWS::DynamoDB::GlobalTable', { TableName: 'orders-idempotency', Replicas: [Match.objectLike({ Region: region, PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true }, DeletionProtectionEnabled: true })] });
  });

  test.each(REGIONS)('%s adds its own health check and latency record for the shared origin domain', (region) => {
    const t = templates[`Orders-Region-${region}`];
    t.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: { Type: 'HTTPS', FullyQualifiedDomainName: `${region}.origin.api.example.com`, ResourcePath: '/v1/health', EnableSNI: true, Port: 443 },
    });
    t.hasResourceProperties('AWS::Route53::RecordSet', { Name: 'origin.api.example.com', Type: 'A', Region: region, SetIdentifier: region, HealthCheckId: Match.anyValue() });
    t.hasResourceProperties('AWS::ApiGateway::DomainName', { DomainName: `${region}.origin.api.example.com` });
  });

  test('the authorizer trusts the primary pool through parameters of its own region, never a cross-region token', () => {
    const t = templates['Orders-Region-eu-central-1'];
    expect(JSON.stringify(t.toJSON().Parameters)).toMatch(/\/orders\/identity\/user-pool-id/);
    expect(JSON.stringify(t.toJSON().Parameters)).toMatch(/\/orders\/identity\/client-ids/);
    const writers = Object.values(templates['Orders-Global'].findResources('Custom::AWS')).map((r) => JSON.stringify(r));
    expect(writers.some((w) => /\\"region\\":\\"eu-central-1\\".*\/orders\/identity\/user-pool-id/.test(w))).toBe(true);
    expect(writers.some((w) => /\\"region\\":\\"eu-central-1\\".*\/orders\/identity\/client-ids/.test(w))).toBe(true);
  });

  test('the global table has a replica in every region, PITR, deletion protection and each region\'s data key', () => {
    const t = templates['Orders-Global'];
    for (const r of REGIONS) {
      t.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
        TableName: 'orders-platform',
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        Replicas: Match.arrayWith([Match.objectLike({
          Region: r,
          DeletionProtectionEnabled: true,
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          SSESpecification: { KMSMasterKeyId: Match.anyValue() },
        })]),
      });
    }
    // The secondary replica's key is addressed by its computed alias ARN in that region (no token from that region).
    expect(JSON.stringify(t.findResources('AWS::DynamoDB::GlobalTable'))).toMatch(/":kms:eu-central-1:",\{"Ref":"AWS::AccountId"\},":alias\/orders\/data"/);
  });

  test('the operators\' CLI has its KMS-encrypted audit log in the primary region', () => {
    templates['Orders-Global'].hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/orders/audit/operations', KmsKeyId: Match.anyValue(), RetentionInDays: 365 });
  });

  test('audit: a multi-region validated trail and a compliance-mode archive replicated to the secondary region', () => {
    const g = templates['Orders-Global'];
    g.hasResourceProperties('AWS::CloudTrail::Trail', { IsMultiRegionTrail: true, EnableLogFileValidation: true, KMSKeyId: Match.anyValue() });
    g.hasResourceProperties('AWS::S3::Bucket', {
      ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 2556 } } },
      ReplicationConfiguration: { Rules: Match.arrayWith([Match.objectLike({ Destination: Match.objectLike({ Bucket: Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([Match.stringLikeRegexp('eu-central-1')])]) }) }) })]) },
    });
    templates['Orders-Keys-eu-central-1'].hasResourceProperties('AWS::S3::Bucket', { ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'COMPLIANCE' } } } });
  });

  test('edge: CloudFront with TLS 1.3, its web ACL and Shield protections in us-east-1; the origin-verify secret replicated there', () => {
    const e = templates['Orders-Edge'];
    e.hasResourceProperties('AWS::CloudFront::Distribution', { DistributionConfig: Match.objectLike({ ViewerCertificate: Match.objectLike({ MinimumProtocolVersion: 'TLSv1.3_2025' }) }) });
    e.hasResourceProperties('AWS::WAFv2::WebACL', { Scope: 'CLOUDFRONT' });
    expect(Object.keys(e.findResources('AWS::Shield::Protection')).length).toBeGreaterThanOrEqual(1);
    templates['Orders-Global'].hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'orders/edge/origin-verify',
      ReplicaRegions: Match.arrayWith([Match.objectLike({ Region: 'eu-central-1' }), Match.objectLike({ Region: 'us-east-1' })]),
    });
  });

  test('CloudHSM-backed keys are in the showcase (primary region only)', () => {
    templates['Orders-Keys-eu-west-1'].resourceCountIs('AWS::CloudHSM::Cluster', 1);
    templates['Orders-Keys-eu-central-1'].resourceCountIs('AWS::CloudHSM::Cluster', 0);
  });

  test('DNS: the partner (mTLS) domain has a latency record in each region, withdrawn with the region\'s health check', () => {
    for (const r of REGIONS) {
      const t = templates[`Orders-Region-${r}`];
      const [mtlsDomain] = Object.entries(t.findResources('AWS::ApiGateway::DomainName')).find(([, d]) => d.Properties.MutualTlsAuthentication)!;
      const [healthCheck] = Object.keys(t.findResources('AWS::Route53::HealthCheck'));
      t.hasResourceProperties('AWS::Route53::RecordSet', {
        Name: 'partners.example.com',
        Type: 'A',
        SetIdentifier: r,
        Region: r,
        HealthCheckId: { 'Fn::GetAtt': [healthCheck, 'HealthCheckId'] },
        AliasTarget: { DNSName: { 'Fn::GetAtt': [mtlsDomain, 'RegionalDomainName'] }, EvaluateTargetHealth: true, HostedZoneId: Match.anyValue() },
      });
    }
  });

  test('a first deploy of the showcase: reads produced earlier; the truststore, Shield subscription and CloudHSM are in "Before you deploy"', () => {
    const stacks = readAssembly(outdir);
    expect(unproducedReads(stacks)).toEqual([]);
    const inputs = externalInputs(stacks);
    expect(inputs.map((i) => i.input)).toEqual(expect.arrayContaining(['the truststore object in S3', 'a Shield Advanced subscription', 'CloudHSM initialization']));
    expect(inputs.filter((i) => !i.readme.test(beforeYouDeploy())).map((i) => i.input)).toEqual([]);
  });

  test('every compliance pack passed: no violation in the validation report, evidence reports written with zero failures', () => {
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as { pluginReports: { pluginName: string; violations: unknown[] }[] };
    for (const r of report.pluginReports) {
      expect({ plugin: r.pluginName, violations: r.violations }).toEqual({ plugin: r.pluginName, violations: [] });
    }
    expect(readdirSync(join(outdir, 'compliance')).sort()).toEqual(['compliance-full.sarif', 'compliance-junit.xml', 'compliance-report.html', 'compliance-report.md', 'compliance.sarif', 'evidence.json']);
    const junit = readFileSync(join(outdir, 'compliance', 'compliance-junit.xml'), 'utf8');
    expect(junit).toMatch(/<testsuites[^>]* failures="0"/);
  });
});

describe('SecureApiPlatform validation', () => {
  const app = () => new App();
  test('a lambda API without a backend factory is refused with the fix', () => {
    expect(() => new SecureApiPlatform(app(), 'P', { spec: exampleSpec('aws', { lean: true }) })).toThrow(/backends\.orders is required.*received: no factory for it.*backends: \{ orders:/);
  });
  test('a bad stack prefix or account is refused', () => {
    expect(() => new SecureApiPlatform(app(), 'P', { spec: exampleSpec('aws', { lean: true }), stackPrefix: 'bad prefix' })).toThrow(/stackPrefix must be letters.*received: "bad prefix"/);
    expect(() => new SecureApiPlatform(app(), 'P', { spec: exampleSpec('aws', { lean: true }), account: '12345' })).toThrow(/account must be a 12-digit AWS account id \(received: "12345"\)/);
  });
  test('when the spec says the API Gateway logs role is managed elsewhere, no stack creates it', () => {
    const spec = exampleSpec('aws', { lean: true });
    const managed = new SecureApiPlatform(app(), 'P', {
      spec: { ...spec, observability: { ...spec.observability, apiGatewayLogsRole: 'managedElsewhere' } },
      backends: { orders: SecureApiPlatform.lambdaBackend(join(__dirname, '..', '..', 'assets', 'orders-backend')) },
    });
    for (const r of REGIONS) {
      expect(managed.regions[r].apiGatewayLogs).toBeUndefined();
      expect(managed.regions[r].node.findAll().filter((c) => c instanceof CfnAccount)).toEqual([]);
    }
  });
  test('an invalid spec is refused before any stack is created, with every problem', () => {
    const a = app();
    const spec = { ...exampleSpec('aws'), name: 'X', cors: { allowOrigins: ['*'] } };
    expect(() => new SecureApiPlatform(a, 'P', { spec })).toThrow(/Invalid platform spec \(2 problems\)/);
    expect(a.node.children.filter((c) => Stack.isStack(c))).toEqual([]);
  });
});
