import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { platformRuleId, platformRulesFor, PLATFORM_RULES, rulesDocument, SecureApiChecks } from '../../lib/compliance';

/** A rule's file: its name in kebab case (`KmsKeyRotation` → `kms-key-rotation`), as in the Terraform pack. */
const kebab = (name: string): string => name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
const ids = (profile: Parameters<typeof platformRulesFor>[0]) => platformRulesFor(profile).map(platformRuleId);

describe('profiles select the platform rules', () => {
  test('PCI DSS', () => {
    expect(ids(['PCI_DSS'])).toEqual([
      'SecureApi-ApiMethodAuthorizer', 'SecureApi-PublicRouteInSpec', 'SecureApi-AuthorizerCacheTtl', 'SecureApi-StageWebAcl',
      'SecureApi-CustomDomainTls', 'SecureApi-MutualTls', 'SecureApi-CorsNoWildcard', 'SecureApi-AccessLogFormat',
      'SecureApi-CognitoMfaThreatProtection', 'SecureApi-KmsKeyRotation', 'SecureApi-SecretRotation', 'SecureApi-AuditBucketObjectLock',
      'SecureApi-CloudTrailMultiRegion', 'SecureApi-AuthFailureAlarm', 'SecureApi-LogGroupRetention',
    ]);
  });
  test('HIPAA (KMS rotation included: cdk-nag\'s HIPAA pack has no such rule)', () => {
    expect(ids(['HIPAA'])).toEqual([
      'SecureApi-ApiMethodAuthorizer', 'SecureApi-PublicRouteInSpec', 'SecureApi-AuthorizerCacheTtl', 'SecureApi-StageWebAcl',
      'SecureApi-CustomDomainTls', 'SecureApi-MutualTls', 'SecureApi-CorsNoWildcard', 'SecureApi-AccessLogFormat',
      'SecureApi-CognitoMfaThreatProtection', 'SecureApi-KmsKeyRotation', 'SecureApi-SecretRotation', 'SecureApi-AuditBucketObjectLock',
      'SecureApi-CloudTrailMultiRegion', 'SecureApi-AuthFailureAlarm', 'SecureApi-LogGroupRetention', 'SecureApi-DynamoDbProtection',
    ]);
  });
  test('NIST 800-53 R5: every rule', () => {
    expect(ids(['NIST_800_53'])).toEqual(PLATFORM_RULES.map(platformRuleId));
  });
  test('AWS Solutions: the baseline, without the regulatory audit rules', () => {
    expect(ids(['AWS_SOLUTIONS'])).toEqual([
      'SecureApi-ApiMethodAuthorizer', 'SecureApi-PublicRouteInSpec', 'SecureApi-AuthorizerCacheTtl', 'SecureApi-StageWebAcl',
      'SecureApi-CustomDomainTls', 'SecureApi-MutualTls', 'SecureApi-CorsNoWildcard', 'SecureApi-CognitoMfaThreatProtection',
      'SecureApi-LambdaReservedConcurrency', 'SecureApi-KmsKeyRotation', 'SecureApi-SecretRotation', 'SecureApi-CloudTrailMultiRegion',
      'SecureApi-AuthFailureAlarm', 'SecureApi-LogGroupRetention', 'SecureApi-DynamoDbProtection',
    ]);
  });
  test('the pack adds the AWS Solutions baseline to the chosen profiles, as Compliance.enforce does', () => {
    const pack = new SecureApiChecks(undefined, { profiles: ['PCI_DSS'] });
    expect(pack.rules.map(platformRuleId)).toEqual(PLATFORM_RULES.map(platformRuleId));
    expect(pack.context.minimums.logRetentionDays).toBe(365);
  });
});

describe('rule metadata', () => {
  test('every rule is named after its (kebab-case) file, maps to at least one framework and documents itself', () => {
    for (const rule of PLATFORM_RULES) {
      expect(rule.check.name).toBe(rule.meta.name);
      expect(readFileSync(join(__dirname, '..', '..', 'lib', 'compliance', 'aws', 'rules', `${kebab(rule.meta.name)}.ts`), 'utf8')).toMatch(new RegExp(`/\\*\\* .+ \\*/\\nexport function ${rule.meta.name}\\(`));
      expect(rule.meta.pci.length + rule.meta.hipaa.length + rule.meta.nist.length).toBeGreaterThan(0);
      expect(rule.meta.resourceTypes.length).toBeGreaterThan(0);
      for (const id of rule.meta.hipaa) expect(id).toMatch(/^164\.312\(/);
      for (const id of rule.meta.pci) expect(id).toMatch(/^\d+\.\d+(\.\d+)*$/);
      for (const id of rule.meta.nist) expect(id).toMatch(/^[A-Z]{2}-\d+(\(\d+\))?$/);
    }
  });

  test('docs/rules.md is generated from the metadata and up to date (npx tsx scripts/gen-rules-doc.ts)', () => {
    expect(readFileSync(join(__dirname, '..', '..', 'docs', 'rules.md'), 'utf8')).toBe(rulesDocument());
  });
});
