import { CfnResource } from 'aws-cdk-lib';
import { DEFAULT_RULE_CONTEXT, isTrue, NagMessageLevel, NagRuleCompliance, PlatformRule, propsOf, RuleContext, verdict } from '../rule';

/** Customer-managed symmetric KMS keys rotate automatically (not applicable: CloudHSM-backed, imported, asymmetric/HMAC, replica keys). */
export function KmsKeyRotation(node: CfnResource, _ctx: RuleContext = DEFAULT_RULE_CONTEXT): NagRuleCompliance {
  // A replica key (AWS::KMS::ReplicaKey) shares its primary's rotation, so only AWS::KMS::Key is checked.
  if (node.cfnResourceType !== 'AWS::KMS::Key') return NagRuleCompliance.NOT_APPLICABLE;
  const props = propsOf(node);
  const origin = props.Origin ?? 'AWS_KMS';
  const spec = props.KeySpec ?? 'SYMMETRIC_DEFAULT';
  // KMS cannot rotate keys in a CloudHSM key store, imported key material, or non-symmetric keys: rotated by procedure.
  if (origin === 'AWS_CLOUDHSM' || origin === 'EXTERNAL' || origin === 'EXTERNAL_KEY_STORE') return NagRuleCompliance.NOT_APPLICABLE;
  if (spec !== 'SYMMETRIC_DEFAULT' && typeof spec === 'string' && !spec.startsWith('{')) return NagRuleCompliance.NOT_APPLICABLE;
  if (origin !== 'AWS_KMS' || spec !== 'SYMMETRIC_DEFAULT') return NagRuleCompliance.NON_COMPLIANT;
  const period = props.RotationPeriodInDays;
  return verdict(isTrue(props.EnableKeyRotation) && (period === undefined || (typeof period === 'number' && period <= 365)));
}

export const KmsKeyRotationRule: PlatformRule = {
  check: KmsKeyRotation,
  meta: {
    name: 'KmsKeyRotation',
    requirement: 'Customer-managed symmetric KMS keys rotate automatically at least yearly (CloudHSM-backed, imported, asymmetric and replica keys: not applicable).',
    info: 'The KMS key does not rotate automatically at least once a year.',
    explanation: 'Keys must be retired at the end of their cryptoperiod (PCI DSS 3.7.4). Set enableKeyRotation (rotation period <= 365 days). cdk-nag\'s HIPAA pack has no rotation rule; this one covers it.',
    level: NagMessageLevel.ERROR,
    resourceTypes: ['AWS::KMS::Key'],
    pci: ['3.6.1', '3.7.4'],
    hipaa: ['164.312(a)(2)(iv)', '164.312(e)(2)(ii)'],
    nist: ['SC-12', 'SC-28'],
    awsSolutions: true,
  },
};
