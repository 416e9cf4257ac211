// The gate as CI meets it: `cdk synth` prints the verdict and the report's path, every violation suggests
// acknowledge(…), and acknowledge() takes the `Pack::Rule` id CDK prints after "Acknowledge with".
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, aws_sqs as sqs, Stack } from 'aws-cdk-lib';
import { acknowledge, Compliance, normalizeRuleId } from '../../lib/compliance';

const root = join(__dirname, '..', '..');
const outs: string[] = [];
afterAll(() => outs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function cdkSynth(noncompliant: boolean) {
  const out = mkdtempSync(join(tmpdir(), 'gate-synth-'));
  outs.push(out);
  const app = `${join(root, 'node_modules', '.bin', 'tsx')} ${join(root, 'test', 'fixtures', 'noncompliant-app.ts')}`;
  const r = spawnSync(join(root, 'node_modules', '.bin', 'cdk'), ['synth', '--quiet', '--app', app, '--output', out, '--no-version-reporting', '--no-notices'], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NONCOMPLIANT: noncompliant ? '1' : '0', CDK_VALIDATION: 'false', CI: 'true', FORCE_COLOR: '0', NO_COLOR: '1' },
    timeout: 120_000,
  });
  return { status: r.status, output: `${r.stdout}\n${r.stderr}`, out };
}

describe('npx cdk synth prints the verdict', () => {
  let failing: ReturnType<typeof cdkSynth>;
  beforeAll(() => {
    failing = cdkSynth(true);
  });

  test('a failing synth: one FAIL verdict line with the counts and the report path, and acknowledge(…) as the suggested fix', () => {
    expect(failing.status).not.toBe(0);
    const verdicts = failing.output.split('\n').filter((l) => l.startsWith('compliance: '));
    expect(verdicts).toHaveLength(1);
    expect(verdicts[0]).toMatch(/^compliance: FAIL: 3 unacknowledged findings \(\d+ error(, \d+ warning)?\); 1 acknowledged; \d+ passed in 1 stack; report: .*compliance[/\\]compliance-report\.html$/);
    expect(failing.output).toMatch(/Suggested fix: .*acknowledge\(<the construct at Fixture\/Plain\/Resource>, 'AwsSolutions-SQS2', '<why an assessor should accept it>'\)/);
  });

  test('the ids CDK prints after "Acknowledge with" are accepted by acknowledge() and acknowledge the findings', () => {
    const printed = [...failing.output.matchAll(/Acknowledge with '([^']+)'/g)].map((m) => m[1]);
    expect(printed.sort()).toEqual(['AwsSolutions::AwsSolutions-SQS2', 'AwsSolutions::AwsSolutions-SQS3', 'AwsSolutions::AwsSolutions-SQS4']);
    // The same queue as the fixture's, acknowledged with exactly what CDK printed.
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'gate-ack-')) });
    outs.push(app.outdir);
    const stack = new Stack(app, 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
    const plain = new sqs.Queue(stack, 'Plain', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    for (const id of printed) acknowledge(plain, id, 'Test queue of the gate test: it carries no data and exists to exercise acknowledgments.');
    const lines: string[] = [];
    Compliance.enforce(app, { profiles: ['AWS_SOLUTIONS'], printVerdict: (l) => lines.push(l) });
    expect(() => app.synth()).not.toThrow();
    expect(lines).toEqual([expect.stringMatching(/^compliance: PASS: 0 unacknowledged findings; 3 acknowledged;/)]);
  });

  test('a passing synth prints a PASS verdict', () => {
    const r = cdkSynth(false);
    expect(r.status).toBe(0);
    expect(r.output).toMatch(/^compliance: PASS: 0 unacknowledged findings; 1 acknowledged; \d+ passed in 1 stack; report: .*compliance-report\.html$/m);
  });
});

describe('acknowledge() rule ids', () => {
  test('Pack::Rule from CDK is recorded as Pack-Rule (findings keep their brackets); a namespace of another pack is refused', () => {
    expect(normalizeRuleId('AwsSolutions::AwsSolutions-IAM5[Action::s3:*]')).toBe('AwsSolutions-IAM5[Action::s3:*]');
    expect(normalizeRuleId('HIPAA.Security::HIPAA.Security-LambdaDLQ')).toBe('HIPAA.Security-LambdaDLQ');
    expect(normalizeRuleId('AwsSolutions-SQS3')).toBe('AwsSolutions-SQS3');
    const app = new App();
    const q = new sqs.Queue(new Stack(app, 'S'), 'Q');
    expect(() => acknowledge(q, 'HIPAA.Security::AwsSolutions-SQS3', 'The queue is a dead-letter queue itself; a DLQ of a DLQ adds nothing.')).toThrow(/ruleId must name one rule/);
  });
});
