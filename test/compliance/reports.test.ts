import { readdirSync, readFileSync, rmSync, statSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, aws_sqs as sqs, Stack, Validations } from 'aws-cdk-lib';
import { XMLParser } from 'fast-xml-parser';
import { CONDITION, lineOf, platformApp as sharedApp, REASON, THIS_FILE } from './reports-helpers';
import { Compliance, EvidenceBundle, renderReports, REPORT_FILES, SarifLog } from '../../lib/compliance';

/** The helper's app in a fresh folder outside the repository. */
function platformApp(options: { acknowledgeHealth: boolean }) {
  const outdir = mkdtempSync(join(tmpdir(), 'evidence-'));
  return { ...sharedApp({ ...options, outdir }), outdir };
}

function read<T>(outdir: string, file: string): T {
  return JSON.parse(readFileSync(join(outdir, 'compliance', file), 'utf8')) as T;
}

interface ValidationReport {
  pluginReports: { pluginName: string; violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[] }[];
}

describe('evidence reports written at synth (Compliance.enforce + app.synth)', () => {
  const { app, outdir } = platformApp({ acknowledgeHealth: true });
  Compliance.enforce(app, { profiles: ['PCI_DSS', 'HIPAA'] });
  let error: unknown;
  beforeAll(() => {
    try {
      app.synth();
    } catch (e) {
      error = e;
    }
  });
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  test('the synth fails on the unacknowledged findings and still writes every report', () => {
    expect(String(error)).toMatch(/SecureApi-ApiMethodAuthorizer/);
    expect(readdirSync(join(outdir, 'compliance')).sort()).toEqual(Object.values(REPORT_FILES).sort());
  });

  test('SARIF 2.1.0: one run per pack, every rule in tool.driver.rules, results with ruleId, level and locations', () => {
    const sarif = read<SarifLog>(outdir, REPORT_FILES.sarif);
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.$schema).toMatch(/sarif-2\.1\.0/);
    expect(sarif.runs.map((r) => r.tool.driver.name)).toEqual(['AwsSolutions', 'HIPAA.Security', 'PCI.DSS.321', 'SecureApi']);
    const platform = sarif.runs[3];
    expect(platform.tool.driver.rules.map((r) => r.id)).toContain('SecureApi-KmsKeyRotation');
    for (const run of sarif.runs) {
      for (const res of run.results) {
        expect(run.tool.driver.rules[res.ruleIndex].id).toBe(res.ruleId);
        expect(['error', 'warning', 'note']).toContain(res.level);
        expect(res.message.text.length).toBeGreaterThan(0);
        expect(res.locations[0].physicalLocation.artifactLocation.uri).toBe(THIS_FILE);
        expect(res.relatedLocations[0].physicalLocation.artifactLocation.uri).toBe('Api.template.json');
        expect(res.relatedLocations[0].physicalLocation.region.startLine).toBeGreaterThan(1);
        expect(res.locations[0].logicalLocations[0].fullyQualifiedName).toMatch(/^Api\//);
      }
    }
    const full = read<SarifLog>(outdir, REPORT_FILES.sarifFull).runs[3];
    expect(platform.results.find((r) => r.suppressions !== undefined)).toBeUndefined();
    const ack = full.results.find((r) => r.suppressions !== undefined);
    expect(ack).toMatchObject({ ruleId: 'SecureApi-ApiMethodAuthorizer', suppressions: [{ kind: 'inSource', status: 'accepted', justification: REASON }] });
    expect(platform.results.filter((r) => !r.suppressions).map((r) => `${r.ruleId} ${r.locations[0].logicalLocations[0].fullyQualifiedName}`)).toEqual(expect.arrayContaining([
      'SecureApi-ApiMethodAuthorizer Api/Rest/Default/orders/GET/Resource',
      'SecureApi-PublicRouteInSpec Api/Rest/Default/health/GET/Resource',
      'SecureApi-StageWebAcl Api/Rest/DeploymentStage.prod/Resource',
      'SecureApi-AccessLogFormat Api/Rest/DeploymentStage.prod/Resource',
      'SecureApi-AuthFailureAlarm Api/Rest/Resource',
    ]));
  });

  test('JUnit: failures equal the findings CDK reports, acknowledged findings are skipped', () => {
    const validation = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as ValidationReport;
    const findings = validation.pluginReports.flatMap((p) => p.violations.flatMap((v) => v.violatingConstructs.map((c) => `${v.ruleName} ${c.constructPath}`)));
    const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '' }).parse(readFileSync(join(outdir, 'compliance', REPORT_FILES.junit), 'utf8')) as {
      testsuites: {
        failures: string;
        errors: string;
        tests: string;
        testsuite: { name: string; failures: string; testcase: { name: string; failure?: unknown; skipped?: { message: string } }[] }[];
      };
    };
    const suites = xml.testsuites.testsuite;
    const failed = suites.flatMap((s) => s.testcase.filter((c) => c.failure !== undefined).map((c) => c.name));
    expect(Number(xml.testsuites.failures) + Number(xml.testsuites.errors)).toBe(findings.length);
    expect(failed.sort()).toEqual(findings.sort());
    expect(suites.reduce((n, s) => n + Number(s.failures), 0)).toBe(Number(xml.testsuites.failures));
    expect(suites.reduce((n, s) => n + s.testcase.length, 0)).toBe(Number(xml.testsuites.tests));
    const skipped = suites.flatMap((s) => s.testcase).find((c) => c.name === 'SecureApi-ApiMethodAuthorizer Api/Rest/Default/health/GET/Resource');
    expect(skipped?.skipped?.message).toBe(`acknowledged: ${REASON}`);
  });

  test('Markdown and HTML list per requirement the rules and their status per stack, acknowledgments and public routes', () => {
    const md = readFileSync(join(outdir, 'compliance', REPORT_FILES.markdown), 'utf8');
    expect(md).toMatch(/## PCI DSS 4\.0 \(platform rules\)/);
    expect(md).toMatch(/## HIPAA Security Rule/);
    expect(md).toMatch(/\| 6\.4\.2 An automated technical solution detects and prevents web-based attacks \| SecureApi-StageWebAcl \| FAIL \(1\) \|/);
    expect(md).toMatch(/\| 164\.312\(d\) Person or entity authentication \| SecureApi-ApiMethodAuthorizer \| FAIL \(1\), acknowledged 1: #1 \|/);
    expect(md).toMatch(/\| 3\.6\.1 .* \| SecureApi-KmsKeyRotation \| n\/a \|/);
    expect(md).toContain(`| SecureApi-ApiMethodAuthorizer | \`Api/Rest/Default/health/GET\` | ${REASON} |`);
    const html = readFileSync(join(outdir, 'compliance', REPORT_FILES.html), 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('<td class="FAIL">FAIL (1)</td>');
    expect(html).toContain(REASON);
    // One script: the hashed search and filter (reports-html.test.ts checks its hash and the page without it).
    expect(html.match(/<script/gi)).toHaveLength(1);
  });

  test('renderReports(cdk.out) re-renders from the evidence and reads acknowledgments from the assembly metadata', () => {
    const before = statSync(join(outdir, 'compliance', REPORT_FILES.html)).mtimeMs;
    rmSync(join(outdir, 'compliance', REPORT_FILES.sarif));
    const paths = renderReports(outdir);
    expect(paths.sarif).toBe(join(outdir, 'compliance', REPORT_FILES.sarif));
    expect(read<SarifLog>(outdir, REPORT_FILES.sarif).runs).toHaveLength(4);
    expect(statSync(paths.html).mtimeMs).toBeGreaterThanOrEqual(before);
    const evidence = read<EvidenceBundle>(outdir, REPORT_FILES.evidence);
    expect(evidence.acknowledgments).toEqual([{
      ruleId: 'SecureApi-ApiMethodAuthorizer',
      reason: REASON,
      constructPath: 'Api/Rest/Default/health/GET',
      // The condition recorded beside it in the assembly's metadata.
      condition: CONDITION,
      // Made by the test's app, on the line that calls acknowledge().
      origin: 'app',
      source: { file: THIS_FILE, line: lineOf('if (options.acknowledgeHealth) acknowledge('), column: expect.any(Number) },
    }]);
    expect(() => renderReports(join(outdir, 'nowhere'))).toThrow(/no evidence at .*run `cdk synth`/);
  });
});

describe('public routes from the spec', () => {
  test('with publicRoutes the health route passes and the report lists it with its reason', () => {
    const { app, outdir } = platformApp({ acknowledgeHealth: false });
    Compliance.enforce(app, { profiles: ['AWS_SOLUTIONS'], publicRoutes: [{ method: 'GET', path: '/health', reason: REASON }] });
    expect(() => app.synth()).toThrow(/SecureApi-StageWebAcl/);
    const evidence = read<EvidenceBundle>(outdir, REPORT_FILES.evidence);
    expect(evidence.results.filter((r) => r.rule === 'SecureApi-PublicRouteInSpec').map((r) => `${r.status} ${r.constructPath}`)).toEqual(['pass Api/Rest/Default/health/GET/Resource', 'fail Api/Rest/Default/orders/GET/Resource']);
    expect(readFileSync(join(outdir, 'compliance', REPORT_FILES.markdown), 'utf8')).toContain(`| \`GET /health\` | any | ${REASON} |`);
    rmSync(outdir, { recursive: true, force: true });
  });
});

describe('acknowledgments carry reasons', () => {
  test('an acknowledgment without a reason fails the synth (SecureApi-AcknowledgmentReason), even when made around acknowledge()', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'ack-'));
    const app = new App({ builtinCloudFormationValidation: false, outdir });
    const stack = new Stack(app, 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
    const q = new sqs.Queue(stack, 'Q', { enforceSSL: true, encryption: sqs.QueueEncryption.KMS_MANAGED });
    Validations.of(q).acknowledge({ id: 'AwsSolutions-SQS3', reason: ' ' });
    Compliance.enforce(app, { profiles: ['AWS_SOLUTIONS'] });
    expect(() => app.synth()).toThrow(/SecureApi-AcknowledgmentReason/);
    expect(readFileSync(join(outdir, 'compliance', REPORT_FILES.markdown), 'utf8')).toContain('| AwsSolutions-SQS3 | `S/Q` | **MISSING REASON** |');
    rmSync(outdir, { recursive: true, force: true });
  });

  test('nothing in the sources acknowledges a finding except through acknowledge() (which refuses a missing reason)', () => {
    const root = join(__dirname, '..', '..');
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const full = join(dir, e.name);
        if (e.isDirectory() && !['node_modules', 'dist', 'cdk.out', 'cdktf.out', 'assets'].includes(e.name)) {walk(full);} else if (e.isFile() && e.name.endsWith('.ts') && !full.endsWith(join('lib', 'compliance', 'aws', 'acknowledge.ts'))) {
          const text = readFileSync(full, 'utf8');
          if (/\.acknowledge\(\s*\{|NagSuppressions\.|addResourceSuppressions|addStackSuppressions/.test(text)) offenders.push(full.slice(root.length + 1));
        }
      }
    };
    for (const dir of ['lib', 'constructs', 'examples']) {
      try {
        walk(join(root, dir));
      } catch {
        // a folder not created yet
      }
    }
    expect(offenders).toEqual([]);
  });
});
