import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, aws_sqs as sqs, Stack, Stage } from 'aws-cdk-lib';
import { acknowledge, acknowledgmentsOf, Compliance } from '../../lib/compliance';

const REASON = 'This queue is the dead-letter destination itself; a DLQ of a DLQ adds nothing.';

function appWithQueue(options: { secure: boolean; inStage?: boolean }) {
  const outdir = mkdtempSync(join(tmpdir(), 'enforce-'));
  const app = new App({ builtinCloudFormationValidation: false, outdir });
  const parent = options.inStage ? new Stage(app, 'Eu', { env: { account: '111111111111', region: 'eu-west-1' } }) : app;
  const stack = new Stack(parent, 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
  const queue = options.secure
    ? new sqs.Queue(stack, 'Q', { enforceSSL: true, encryption: sqs.QueueEncryption.KMS_MANAGED })
    : new sqs.Queue(stack, 'Q', { encryption: sqs.QueueEncryption.UNENCRYPTED });
  return { app, stack, queue, outdir };
}

describe('Compliance.enforce', () => {
  test('selects AWS Solutions plus the packs of the chosen profiles, each once, in a fixed order', () => {
    expect(Compliance.packProfiles(['PCI_DSS', 'HIPAA'])).toEqual(['AWS_SOLUTIONS', 'HIPAA', 'PCI_DSS']);
    expect(Compliance.packProfiles(['NIST_800_53', 'AWS_SOLUTIONS', 'NIST_800_53'])).toEqual(['AWS_SOLUTIONS', 'NIST_800_53']);
    const { app } = appWithQueue({ secure: true });
    const packs = Compliance.enforce(app, { profiles: ['PCI_DSS', 'HIPAA', 'NIST_800_53'] });
    expect(packs.map((p) => p.readPackName)).toEqual(['AwsSolutions', 'HIPAA.Security', 'PCI.DSS.321', 'NIST.800.53.R5', 'SecureApi']);
  });

  test('synth fails on an unacknowledged finding and the report names the rule and the resource', () => {
    const { app, outdir } = appWithQueue({ secure: false });
    Compliance.enforce(app, { profiles: ['HIPAA'] });
    expect(() => app.synth()).toThrow(/AwsSolutions-SQS4[\s\S]*A copy of this report can be found in/);
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as { pluginReports: { pluginName: string; violations: { ruleName: string; violatingConstructs: { constructPath: string }[] }[] }[] };
    const aws = report.pluginReports.find((r) => r.pluginName === 'AwsSolutions');
    expect(aws?.violations.map((v) => v.ruleName)).toEqual(expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']));
    expect(aws?.violations[0].violatingConstructs[0].constructPath).toBe('S/Q/Resource');
  });

  test('an acknowledged finding lets synth pass and is written into the template metadata with its reason', () => {
    const { app, stack, queue } = appWithQueue({ secure: true });
    acknowledge(queue, 'AwsSolutions-SQS3', REASON);
    Compliance.enforce(app, { profiles: ['HIPAA', 'PCI_DSS', 'NIST_800_53'] });
    const assembly = app.synth();
    type Template = { Resources: Record<string, { Type: string; Metadata?: { cdk_nag?: { rules_to_suppress: { id: string; reason: string }[] } } }> };
    const template = assembly.getStackByName(stack.stackName).template as Template;
    const q = Object.values(template.Resources).find((r) => r.Type === 'AWS::SQS::Queue');
    expect(q?.Metadata?.cdk_nag?.rules_to_suppress).toEqual([{ id: 'AwsSolutions-SQS3', reason: REASON }]);
    expect(acknowledgmentsOf(app)).toEqual([{ ruleId: 'AwsSolutions-SQS3', reason: REASON, constructPath: 'S/Q' }]);
  });

  test('acknowledgments reach the templates of stacks inside a Stage', () => {
    const { app, queue } = appWithQueue({ secure: true, inStage: true });
    acknowledge(queue, 'AwsSolutions-SQS3', REASON);
    Compliance.enforce(app, { profiles: ['AWS_SOLUTIONS'] });
    const stage = app.synth().nestedAssemblies[0] ?? app.synth();
    const nested = app.node.findChild('Eu') as Stage;
    const template = nested.synth().getStackByName('Eu-S').template as { Resources: Record<string, { Type: string; Metadata?: { cdk_nag?: unknown } }> };
    expect(stage).toBeDefined();
    expect(Object.values(template.Resources).find((r) => r.Type === 'AWS::SQS::Queue')?.Metadata?.cdk_nag).toEqual({ rules_to_suppress: [{ id: 'AwsSolutions-SQS3', reason: REASON }] });
  });
});

describe('acknowledge', () => {
  const { app, stack, queue } = appWithQueue({ secure: true });

  test('refuses a whole Stack, Stage or App as scope', () => {
    expect(() => acknowledge(stack, 'AwsSolutions-SQS3', REASON)).toThrow(/scope must be the resource .* \(received: the Stack "S"\); a blanket acknowledgment would hide findings/);
    expect(() => acknowledge(app, 'AwsSolutions-SQS3', REASON)).toThrow(/\(received: the App or Stage "<root>"\)/);
    const stage = new Stage(app, 'Other');
    expect(() => acknowledge(stage, 'AwsSolutions-SQS3', REASON)).toThrow(/\(received: the App or Stage "Other"\)/);
  });

  test('refuses an unknown or malformed rule id', () => {
    expect(() => acknowledge(queue, 'SQS3', REASON)).toThrow(/ruleId must name one rule of a platform pack.*\(received: "SQS3"\)/);
    expect(() => acknowledge(queue, 'Whatever-X1', REASON)).toThrow(/\(received: "Whatever-X1"\)/);
  });

  test.each(['', 'n/a', 'TODO', 'false positive', 'short reason only'])('refuses the trivial reason %p', (reason) => {
    expect(() => acknowledge(queue, 'AwsSolutions-SQS3', reason)).toThrow(/reason must say why the finding is acceptable.*at least 30 characters and 5 words \(received: /);
  });

  test('accepts a finding-qualified id and records it on the construct', () => {
    acknowledge(queue, 'AwsSolutions-IAM5[Action::s3:*]', 'Replication role needs every s3 action on the one replica bucket only.');
    expect(acknowledgmentsOf(queue).map((a) => a.ruleId)).toContain('AwsSolutions-IAM5[Action::s3:*]');
  });
});
