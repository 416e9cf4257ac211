import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildExampleApp } from '../../examples/aws/app';

// `npx cdk synth -c lean=true`: what the README's deploy section leads with. Every pack runs (CDK's own template
// validation is exercised by the full example's test).
let outdir: string;
let t: Record<string, Template>;
beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'lean-'));
  const app = new App({ outdir, builtinCloudFormationValidation: false, context: { lean: 'true' } });
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
