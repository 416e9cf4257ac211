// The recorder between cdk-nag and the reports: every result recorded once, cdk-nag shown only what it acts on (findings
// and errors, with the same outcome), and what a result records of a resource read once per validation run.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, aws_kms as kms, aws_sqs as sqs, CfnResource, Stack } from 'aws-cdk-lib';
import { IApplyRule, NagMessageLevel, NagPack, NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { acknowledge, Compliance, type IRecordingPack, isRecordingPack, RecordingAwsSolutionsChecks, ResourceFacts, RuleRecorder } from '../../lib/compliance';
import { testStack } from '../support/nag';

/** Apply-rule parameters as cdk-nag builds them, with a rule that counts its calls. */
function params(node: CfnResource, result: () => NagRuleResult, name = 'TestRule'): { p: IApplyRule; calls: () => number } {
  let calls = 0;
  const rule = Object.defineProperty((_: CfnResource): NagRuleResult => {
    calls++;
    return result();
  }, 'name', { value: name });
  return { p: { info: 'What a finding means.', explanation: 'Why.', level: NagMessageLevel.ERROR, node, rule }, calls: () => calls };
}

describe('RuleRecorder.run', () => {
  const { stack } = testStack();
  const node = new CfnResource(stack, 'Thing', { type: 'AWS::Test::Thing' });

  test('a pass or a not-applicable result is recorded and nothing is left for cdk-nag', () => {
    const recorder = new RuleRecorder();
    const pass = params(node, () => NagRuleCompliance.COMPLIANT, 'Passes');
    const na = params(node, () => NagRuleCompliance.NOT_APPLICABLE, 'Skips');
    const none = params(node, () => [], 'FindsNothing');
    expect(recorder.run('Pack', pass.p)).toBeUndefined();
    expect(recorder.run('Pack', na.p)).toBeUndefined();
    expect(recorder.run('Pack', none.p)).toBeUndefined();
    expect([pass.calls(), na.calls(), none.calls()]).toEqual([1, 1, 1]);
    expect(recorder.results.map((r) => `${r.ruleId} ${r.status} ${r.constructPath} ${r.logicalId}`)).toEqual([
      'Pack-Passes pass Test/Thing Thing', 'Pack-FindsNothing pass Test/Thing Thing',
    ]);
    expect(recorder.rules.get('Pack-Skips')?.notApplicable).toBe(1);
  });

  test('a finding is recorded and handed to cdk-nag with the same result, without running the rule again', () => {
    const recorder = new RuleRecorder();
    const fail = params(node, () => NagRuleCompliance.NON_COMPLIANT, 'Fails');
    const findings = params(node, () => ['Action::s3:*', 'Resource::*'], 'Finds');
    const replay = recorder.run('Pack', fail.p);
    const replayFindings = recorder.run('Pack', { ...findings.p, ruleSuffixOverride: 'F1' });
    expect(replay?.rule(node)).toBe(NagRuleCompliance.NON_COMPLIANT);
    expect(replayFindings?.rule(node)).toEqual(['Action::s3:*', 'Resource::*']);
    // cdk-nag names the finding from the suffix: the original rule's, or its override.
    expect([replay?.ruleSuffixOverride, replayFindings?.ruleSuffixOverride]).toEqual(['Fails', 'F1']);
    expect(replay?.node).toBe(node);
    expect([fail.calls(), findings.calls()]).toEqual([1, 1]);
    expect(recorder.results.map((r) => `${r.ruleId} ${r.status}`)).toEqual(['Pack-Fails fail', 'Pack-F1[Action::s3:*] fail', 'Pack-F1[Resource::*] fail']);
  });

  test('a rule that throws is recorded as an error and cdk-nag gets the same error', () => {
    const recorder = new RuleRecorder();
    const boom = params(node, () => {
      throw new Error('cannot read an intrinsic');
    }, 'Throws');
    const replay = recorder.run('Pack', boom.p);
    expect(() => replay?.rule(node)).toThrow('cannot read an intrinsic');
    expect(boom.calls()).toBe(1);
    expect(recorder.results.map((r) => `${r.ruleId} ${r.status} ${r.message}`)).toEqual(['Pack-Throws error cannot read an intrinsic']);
  });
});

describe('a recording pack', () => {
  test('reports an unacknowledged finding, not an acknowledged one, and records both', () => {
    const { stack } = testStack();
    const open = new sqs.Queue(stack, 'Open', { encryption: sqs.QueueEncryption.UNENCRYPTED });
    const accepted = new sqs.Queue(stack, 'Accepted', { enforceSSL: true, encryption: sqs.QueueEncryption.KMS_MANAGED });
    acknowledge(accepted, 'AwsSolutions-SQS3', 'This queue is the dead-letter destination itself; a DLQ of a DLQ adds nothing.');
    const pack = new RecordingAwsSolutionsChecks(undefined, { verbose: false });
    const report = pack.validateScope(stack);
    const violations = report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} ${r.constructPath}`));
    expect(violations).toEqual(expect.arrayContaining(['AwsSolutions-SQS3 Test/Open/Resource', 'AwsSolutions-SQS4 Test/Open/Resource']));
    expect(violations.filter((v) => v.includes('Accepted'))).toEqual([]);
    const sqs3 = pack.recorder.results.filter((r) => r.ruleId === 'AwsSolutions-SQS3').map((r) => `${r.constructPath} ${r.status}`);
    expect(sqs3.sort()).toEqual(['Test/Accepted/Resource acknowledged', 'Test/Open/Resource fail']);
    expect(open).toBeDefined();
  });
});

describe('ResourceFacts', () => {
  test('the first pack of a run clears the shared facts at its reset, the others reuse them', () => {
    const { stack } = testStack();
    const node = new CfnResource(stack, 'Thing', { type: 'AWS::Test::Thing' });
    const facts = new ResourceFacts();
    const leader = new RuleRecorder();
    const member = new RuleRecorder();
    leader.shareFacts(facts, true);
    member.shareFacts(facts, false);
    const first = facts.of(node);
    expect(facts.of(node)).toBe(first);
    member.reset();
    expect(facts.of(node)).toBe(first);
    leader.reset();
    expect(facts.of(node)).not.toBe(first);
    expect(facts.of(node)).toEqual(first);
  });

  test('Compliance.enforce shares them among its packs, and a second synth reads the tree again', () => {
    const app = new App({ builtinCloudFormationValidation: false, outdir: mkdtempSync(join(tmpdir(), 'facts-')) });
    const stack = new Stack(app, 'S', { env: { account: '111111111111', region: 'eu-west-1' } });
    const key = new kms.Key(stack, 'K', { enableKeyRotation: true });
    const cfn = key.node.defaultChild as CfnResource;
    const packs = Compliance.enforce(app, { profiles: ['HIPAA', 'PCI_DSS', 'NIST_800_53'], printVerdict: false }).filter((p): p is NagPack & IRecordingPack => isRecordingPack(p));
    const ofKey = () => packs.map((p) => p.recorder.results.filter((r) => r.constructPath === 'S/K/Resource'));
    app.synth();
    // Every standard pack checks the key's rotation: four packs, one logical id.
    expect(ofKey().filter((rs) => rs.length > 0).length).toBeGreaterThanOrEqual(4);
    expect([...new Set(ofKey().flat().map((r) => r.logicalId))]).toEqual([stack.resolve(cfn.logicalId)]);
    cfn.overrideLogicalId('RenamedKey');
    app.synth({ force: true });
    expect([...new Set(ofKey().flat().map((r) => r.logicalId))]).toEqual(['RenamedKey']);
  });
});
