import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { CfnBucket } from 'aws-cdk-lib/aws-s3';
import { acknowledge, ComplianceRule, CONTROL_SETS, PLATFORM_RULES, reasonProblem, ruleFileName, ruleName } from '../../lib/compliance';
import { TERRAFORM_RULES, tfAcknowledgmentProblem } from '../../lib/compliance/terraform';

const root = join(__dirname, '..', '..');
const packs: [string, string, readonly ComplianceRule<never, never, unknown>[]][] = [
  ['aws', 'SecureApi', PLATFORM_RULES],
  ['terraform', 'SecureApiAz', TERRAFORM_RULES],
];

describe('one rule shape for both clouds', () => {
  test.each(packs)('%s: { id, requirement, controls, resourceTypes, check }, a named control set, one rule per rules/<kebab-case name>.ts', (dir, prefix, rules) => {
    const named = new Set<object>(Object.values(CONTROL_SETS));
    const ids = new Set<string>();
    for (const rule of rules) {
      expect(rule.id).toMatch(new RegExp(`^${prefix}-[A-Z][A-Za-z0-9]+$`));
      expect(ids.has(rule.id)).toBe(false);
      ids.add(rule.id);
      expect(rule.requirement.length).toBeGreaterThan(20);
      // A set of CONTROL_SETS (the same object), never an inline list: one concern maps to the same ids on both clouds.
      expect(named.has(rule.controls)).toBe(true);
      expect(rule.resourceTypes.length).toBeGreaterThan(0);
      expect(typeof rule.check).toBe('function');
      const file = join(root, 'lib', 'compliance', dir, 'rules', ruleFileName(rule));
      expect(existsSync(file)).toBe(true);
      expect(readFileSync(file, 'utf8')).toContain(`id: '${rule.id}'`);
    }
  });

  test('file names: the name after the pack prefix, in kebab case', () => {
    expect(ruleName({ id: 'SecureApi-DynamoDbProtection' })).toBe('DynamoDbProtection');
    expect(ruleFileName({ id: 'SecureApi-DynamoDbProtection' })).toBe('dynamo-db-protection.ts');
    expect(ruleFileName({ id: 'SecureApiAz-KeyVaultHsmKeys' })).toBe('key-vault-hsm-keys.ts');
  });

  test('a control concern both clouds check maps to the same set (TLS on the API\'s custom domain / on API Management)', () => {
    expect(PLATFORM_RULES.find((r) => r.id === 'SecureApi-CustomDomainTls')?.controls).toBe(CONTROL_SETS.transitEncryption);
    expect(TERRAFORM_RULES.find((r) => r.id === 'SecureApiAz-ApimTls')?.controls).toBe(CONTROL_SETS.transitEncryption);
  });
});

describe('one acknowledgment policy for both clouds', () => {
  const bucket = (): CfnBucket => new CfnBucket(new Stack(new App(), 'S'), 'B');
  test.each([
    ['', false],
    ['n/a', false],
    ['By design.', false],
    ['too short to say anything', false],
    ['thirty-plus characters but fourwords', false],
    ['The archive bucket is the access log target itself, so it cannot log to itself', true],
  ])('reason %j: accepted on AWS and on Azure alike (%s)', (reason, ok) => {
    const aws = (() => {
      try {
        acknowledge(bucket(), 'AwsSolutions-S1', reason);
        return undefined;
      } catch (e) {
        return (e as Error).message;
      }
    })();
    const azure = tfAcknowledgmentProblem('SecureApiAz-StorageSecure', reason);
    expect(aws === undefined).toBe(ok);
    expect(azure === undefined).toBe(ok);
    if (!ok) {
      // The same text from the one policy, each naming its own function.
      expect(aws).toContain(reasonProblem('acknowledge', 'AwsSolutions-S1', reason));
      expect(azure).toBe(reasonProblem('acknowledgeTf', 'SecureApiAz-StorageSecure', reason));
    }
  });
});
