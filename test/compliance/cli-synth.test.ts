import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The real CLI, as a user runs it: `cdk synth` must fail on an unacknowledged finding and pass without it.
const root = join(__dirname, '..', '..');
function cdkSynth(noncompliant: boolean) {
  const out = mkdtempSync(join(tmpdir(), 'cli-synth-'));
  const app = `${join(root, 'node_modules', '.bin', 'tsx')} ${join(root, 'test', 'fixtures', 'noncompliant-app.ts')}`;
  const r = spawnSync(join(root, 'node_modules', '.bin', 'cdk'), ['synth', '--quiet', '--app', app, '--output', out, '--no-version-reporting', '--no-notices'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NONCOMPLIANT: noncompliant ? '1' : '0', CDK_VALIDATION: 'false', CI: 'true' },
    timeout: 120_000,
  });
  return { status: r.status, output: `${r.stdout}\n${r.stderr}`, out };
}

describe('npx cdk synth with Compliance.enforce', () => {
  test('fails on an unacknowledged finding, naming the rule, and writes the validation report', () => {
    const r = cdkSynth(true);
    expect(r.status).not.toBe(0);
    expect(r.output).toMatch(/AwsSolutions-SQS4/);
    const report = JSON.parse(readFileSync(join(r.out, 'validation-report.json'), 'utf8')) as { pluginReports: { pluginName: string; violations: { ruleName: string }[] }[] };
    expect(report.pluginReports.flatMap((p) => p.violations.map((v) => v.ruleName))).toEqual(expect.arrayContaining(['AwsSolutions-SQS2', 'AwsSolutions-SQS3', 'AwsSolutions-SQS4']));
  });

  test('passes when every finding is fixed or acknowledged', () => {
    const r = cdkSynth(false);
    expect(r.output).not.toMatch(/ValidationFailed|Validation failed/);
    expect(r.status).toBe(0);
    expect(JSON.parse(readFileSync(join(r.out, 'Fixture.template.json'), 'utf8')).Resources).toBeInstanceOf(Object);
  });
});
