import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, CfnRule } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildExampleApp, exampleSite, PLACEHOLDER_PARAMETER } from '../../examples/aws/app';
import { exampleSpec, placeholderKeys } from '../../examples/spec';
import { beforeYouDeploy, externalInputs, readAssembly, reads, unproducedReads } from '../support/first-deploy';

// The example as a plain `npx cdk synth` / `cdk deploy --all` builds it: lean is the default. Every pack runs (CDK's own
// template validation is exercised by the showcase's test).
let outdir: string;
let t: Record<string, Template>;
beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'lean-'));
  const app = new App({ outdir, builtinCloudFormationValidation: false, context: { allowPlaceholders: 'true' } });
  buildExampleApp(app);
  t = Object.fromEntries(app.synth().stacks.map((s) => [s.stackName, Template.fromJSON(s.template as Record<string, unknown>)]));
});

test('nothing that needs a subscription or cannot be deleted: no CloudHSM, no Shield Advanced, no mTLS domain, a governance-mode archive', () => {
  t['Orders-Keys-eu-west-1'].resourceCountIs('AWS::CloudHSM::Cluster', 0);
  t['Orders-Edge'].resourceCountIs('AWS::Shield::Protection', 0);
  for (const r of ['eu-west-1', 'eu-central-1']) {
    const domains = Object.values(t[`Orders-Region-${r}`].findResources('AWS::ApiGateway::DomainName')).map((d) => (d as { Properties: { DomainName: string } }).Properties.DomainName);
    expect(domains).not.toContain('partners.example.com');
  }
  t['Orders-Global'].hasResourceProperties('AWS::S3::Bucket', { ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled', Rule: { DefaultRetention: { Mode: 'GOVERNANCE', Days: 1 } } } });
  expect(JSON.stringify(t['Orders-Global'].toJSON())).not.toMatch(/"Mode":"COMPLIANCE"/);
});

test('the lean app passes every compliance pack; the demo archive is an acknowledged, reported exception', () => {
  const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as { pluginReports: { pluginName: string; violations: unknown[] }[] };
  expect(report.pluginReports.flatMap((r) => r.violations)).toEqual([]);
  const evidence = readFileSync(join(outdir, 'compliance', 'compliance-report.md'), 'utf8');
  expect(evidence).toMatch(/SecureApi-AuditBucketObjectLock.*Demo mode/);
  t['Orders-Global'].hasResource('AWS::S3::Bucket', { Metadata: Match.objectLike({ 'secure-api:role': 'audit-archive' }) });
});

describe('a first `cdk deploy --all` in a fresh account', () => {
  test('every SSM parameter, secret and KMS alias a stack reads is produced by a stack deployed before it, in that region', () => {
    const stacks = readAssembly(outdir);
    expect(stacks.flatMap(reads).length).toBeGreaterThan(5);
    expect(unproducedReads(stacks)).toEqual([]);
  });

  test('README "Before you deploy" lists every external input the templates rely on', () => {
    const section = beforeYouDeploy();
    expect(section).not.toBe('');
    const missing = externalInputs(readAssembly(outdir)).filter((i) => !i.readme.test(section)).map((i) => i.input);
    expect(missing).toEqual([]);
  });

  test('the API Gateway CloudWatch role: created once per account and region, before the stages that log', () => {
    for (const r of ['eu-west-1', 'eu-central-1']) {
      const region = t[`Orders-Region-${r}`];
      region.resourceCountIs('AWS::ApiGateway::Account', 1);
      const [accountId] = Object.keys(region.findResources('AWS::ApiGateway::Account'));
      for (const stage of Object.values(region.findResources('AWS::ApiGateway::Stage'))) expect(stage.DependsOn).toEqual(expect.arrayContaining([accountId]));
    }
    const elsewhere = Object.entries(t).filter(([n]) => !n.startsWith('Orders-Region-'));
    for (const [, template] of elsewhere) template.resourceCountIs('AWS::ApiGateway::Account', 0);
  });

  test('DNS: the public domain is an IPv4 and IPv6 alias to CloudFront', () => {
    for (const type of ['A', 'AAAA']) {
      t['Orders-Edge'].hasResourceProperties('AWS::Route53::RecordSet', {
        Name: 'api.example.com.',
        Type: type,
        HostedZoneId: 'Z0123456789EXAMPLE',
        AliasTarget: { DNSName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Edge'), 'DomainName'] }, HostedZoneId: Match.anyValue() },
      });
    }
  });
});

/** A user's own site, every key the lean example needs set. */
const USER_SITE = {
  domain: 'api.acme-bank.io',
  zoneName: 'acme-bank.io',
  hostedZoneId: 'Z08123456ABCDEFGHIJK',
  authDomainPrefix: 'acme-bank-orders',
  issuer: 'https://login.acme-bank.io/oauth2/default',
  webOrigin: 'https://app.acme-bank.io',
  alarmEmail: 'oncall@acme-bank.io',
} as const;

describe('the example refuses to deploy placeholders', () => {
  test('without allowPlaceholders the synth stops, naming each context key to set', () => {
    expect(() => buildExampleApp(new App())).toThrow(/placeholders \(domain: "api\.example\.com", zoneName: "example\.com", hostedZoneId: "Z0123456789EXAMPLE", authDomainPrefix: "orders-auth", issuer: .*set them with -c domain=… -c zoneName=… .*-c alarmEmail=… or in a site file \(-c site=site\.json\), or pass -c allowPlaceholders=true/);
  });
  test('the showcase also names the partner domain, the truststore and the Shield contacts', () => {
    expect(() => buildExampleApp(new App({ context: { lean: 'false' } }))).toThrow(/partnerDomain: "partners\.example\.com", truststore: "s3:\/\/orders-truststore-example\/partners\.pem".*contactEmail: "soc@example\.com", contactPhone: "\+15555550100"/);
  });
  test('a site file plus context overrides give the user\'s own platform', () => {
    const dir = mkdtempSync(join(tmpdir(), 'site-'));
    const site = { ...USER_SITE };
    writeFileSync(join(dir, 'site.json'), JSON.stringify(site));
    const app = new App({ context: { site: join(dir, 'site.json'), issuerAudience: 'api://acme-orders' } });
    expect(exampleSite(app)).toMatchObject({ ...site, issuerAudience: 'api://acme-orders' });
    expect(placeholderKeys(exampleSite(app), { lean: true })).toEqual([]);
    expect(placeholderKeys(exampleSite(app), { lean: false })).toEqual(['partnerDomain', 'truststore', 'contactEmail', 'contactPhone']);
    const spec = exampleSpec('aws', { lean: true, site: exampleSite(app) });
    expect(spec.domain).toMatchObject({ domainName: 'api.acme-bank.io', hostedZone: { zoneName: 'acme-bank.io', hostedZoneId: 'Z08123456ABCDEFGHIJK' } });
    expect(spec.identity.userPool?.domainPrefix).toBe('acme-bank-orders');
    expect(spec.identity.issuers?.[0]).toMatchObject({ issuer: 'https://login.acme-bank.io/oauth2/default', audience: ['api://acme-orders'] });
    expect(spec.cors?.allowOrigins).toEqual(['https://app.acme-bank.io']);
    expect(spec.observability?.alarmEmails).toEqual(['oncall@acme-bank.io']);
    expect(JSON.stringify(spec)).not.toMatch(/example\.com/);
  });
  test('a synth with placeholders cannot deploy: every stack has a rule that fails with the template\'s own parameter default', () => {
    type Rule = { Assertions: { Assert: { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: string }, string] }] }; AssertDescription: string }[] };
    for (const [name, template] of Object.entries(t)) {
      const json = template.toJSON() as { Rules?: Record<string, Rule>; Parameters?: Record<string, { Default?: string }> };
      const rule = json.Rules?.ExamplePlaceholders;
      expect({ name, rule: rule !== undefined }).toEqual({ name, rule: true });
      const [assertion] = rule!.Assertions;
      const [ref, compared] = assertion.Assert['Fn::Not'][0]['Fn::Equals'];
      expect(ref.Ref).toBe(PLACEHOLDER_PARAMETER);
      // CloudFormation evaluates the assertion with the parameter's default: Not(Equals(default, compared)) is false.
      expect(json.Parameters![PLACEHOLDER_PARAMETER].Default).toBe(compared);
      expect(assertion.AssertDescription).toMatch(/-c domain=… .*-c alarmEmail=… or -c site=site\.json/);
    }
  });
  test('a site without placeholders gets no such rule', () => {
    const site = { ...USER_SITE };
    const app = new App({ context: site });
    buildExampleApp(app);
    expect(app.node.findAll().filter((c) => c instanceof CfnRule)).toEqual([]);
  });
});
