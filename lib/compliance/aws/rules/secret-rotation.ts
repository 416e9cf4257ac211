import { CfnResource } from 'aws-cdk-lib';
import { DEFAULT_RULE_CONTEXT, isObject, logicalIdOf, NagMessageLevel, NagRuleCompliance, PlatformRule, RuleContext, stackIndex, verdict } from '../rule';

/** Every Secrets Manager secret has a rotation schedule (with a rotation function and rules) in its stack. */
export function SecretRotation(node: CfnResource, _ctx: RuleContext = DEFAULT_RULE_CONTEXT): NagRuleCompliance {
  if (node.cfnResourceType !== 'AWS::SecretsManager::Secret') return NagRuleCompliance.NOT_APPLICABLE;
  const id = logicalIdOf(node);
  const schedules = stackIndex(node).ofType('AWS::SecretsManager::RotationSchedule').filter((s) => {
    const ref = s.props.SecretId;
    const rotator = s.props.RotationLambdaARN !== undefined || s.props.HostedRotationLambda !== undefined;
    return isObject(ref) && ref.Ref === id && rotator && isObject(s.props.RotationRules);
  });
  return verdict(schedules.length > 0);
}

export const SecretRotationRule: PlatformRule = {
  check: SecretRotation,
  meta: {
    name: 'SecretRotation',
    requirement: 'Every Secrets Manager secret has a rotation schedule (rotation function and rules) in its stack.',
    info: 'The secret has no rotation schedule.',
    explanation: 'Credentials of application and system accounts must be changed periodically (PCI DSS 8.6.3) and keys at the end of their cryptoperiod (3.7.4). Add secret.addRotationSchedule(...) or a hosted rotation.',
    level: NagMessageLevel.ERROR,
    resourceTypes: ['AWS::SecretsManager::Secret'],
    pci: ['8.6.3', '3.7.4'],
    hipaa: ['164.312(d)'],
    nist: ['IA-5', 'SC-12'],
    awsSolutions: true,
  },
};
