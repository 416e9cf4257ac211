import { CfnResource } from 'aws-cdk-lib';
import { DEFAULT_RULE_CONTEXT, NagMessageLevel, NagRuleCompliance, PlatformRule, propsOf, RuleContext, verdict } from '../rule';

/** Log groups keep their events at least the profile minimum (no retention = kept forever). */
export function LogGroupRetention(node: CfnResource, ctx: RuleContext = DEFAULT_RULE_CONTEXT): NagRuleCompliance {
  if (node.cfnResourceType !== 'AWS::Logs::LogGroup') return NagRuleCompliance.NOT_APPLICABLE;
  const days = propsOf(node).RetentionInDays;
  if (days === undefined) return NagRuleCompliance.COMPLIANT;
  return verdict(typeof days === 'number' && days >= ctx.minimums.logRetentionDays);
}

export const LogGroupRetentionRule: PlatformRule = {
  check: LogGroupRetention,
  meta: {
    name: 'LogGroupRetention',
    requirement: 'CloudWatch log groups retain events for at least the profile minimum (365 days for PCI DSS, HIPAA and NIST; 90 for AWS Solutions).',
    info: 'The log group expires events sooner than the selected profiles require.',
    explanation: 'Audit log history must be retained at least 12 months, three months immediately available (PCI DSS 10.5.1). Set retention to at least the minimum (the spec\'s audit.logRetentionDays is rounded up to a valid period).',
    level: NagMessageLevel.ERROR,
    resourceTypes: ['AWS::Logs::LogGroup'],
    pci: ['10.5.1'],
    hipaa: ['164.312(b)'],
    nist: ['AU-11'],
    awsSolutions: true,
  },
};
