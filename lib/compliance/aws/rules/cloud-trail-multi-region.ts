import { CfnResource } from 'aws-cdk-lib';
import { DEFAULT_RULE_CONTEXT, isTrue, NagMessageLevel, NagRuleCompliance, PlatformRule, propsOf, RuleContext, verdict } from '../rule';

/** CloudTrail trails log every region and validate their log files (digest files). */
export function CloudTrailMultiRegion(node: CfnResource, _ctx: RuleContext = DEFAULT_RULE_CONTEXT): NagRuleCompliance {
  if (node.cfnResourceType !== 'AWS::CloudTrail::Trail') return NagRuleCompliance.NOT_APPLICABLE;
  const props = propsOf(node);
  return verdict(isTrue(props.IsMultiRegionTrail) && isTrue(props.EnableLogFileValidation) && isTrue(props.IsLogging));
}

export const CloudTrailMultiRegionRule: PlatformRule = {
  check: CloudTrailMultiRegion,
  meta: {
    name: 'CloudTrailMultiRegion',
    requirement: 'CloudTrail trails are logging, cover every region and validate log files.',
    info: 'The trail is single-region, not logging, or does not validate its log files.',
    explanation: 'Administrative actions in any region must be recorded (PCI DSS 10.2.1) and tampering with the logs detected (10.3.4). Set isMultiRegionTrail and enableFileValidation.',
    level: NagMessageLevel.ERROR,
    resourceTypes: ['AWS::CloudTrail::Trail'],
    pci: ['10.2.1', '10.3.4'],
    hipaa: ['164.312(b)', '164.312(c)(2)'],
    nist: ['AU-2', 'AU-9', 'AU-12', 'SI-7'],
    awsSolutions: true,
  },
};
