import { CfnResource } from 'aws-cdk-lib';
import { at, DEFAULT_RULE_CONTEXT, isTrue, NagMessageLevel, NagRuleCompliance, PlatformRule, propsOf, RuleContext, verdict } from '../rule';

/** DynamoDB tables and every global-table replica have point-in-time recovery and deletion protection on. */
export function DynamoDbProtection(node: CfnResource, _ctx: RuleContext = DEFAULT_RULE_CONTEXT): NagRuleCompliance {
  const props = propsOf(node);
  if (node.cfnResourceType === 'AWS::DynamoDB::Table') {
    return verdict(isTrue(at(props, 'PointInTimeRecoverySpecification', 'PointInTimeRecoveryEnabled')) && isTrue(props.DeletionProtectionEnabled));
  }
  if (node.cfnResourceType === 'AWS::DynamoDB::GlobalTable') {
    const replicas = props.Replicas;
    return verdict(Array.isArray(replicas) && replicas.length > 0 && replicas.every((r) =>
      isTrue(at(r, 'PointInTimeRecoverySpecification', 'PointInTimeRecoveryEnabled')) && isTrue(at(r, 'DeletionProtectionEnabled'))));
  }
  return NagRuleCompliance.NOT_APPLICABLE;
}

export const DynamoDbProtectionRule: PlatformRule = {
  check: DynamoDbProtection,
  meta: {
    name: 'DynamoDbProtection',
    requirement: 'DynamoDB tables and every global-table replica have point-in-time recovery and deletion protection enabled.',
    info: 'The table (or a replica) lacks point-in-time recovery or deletion protection.',
    explanation: 'Revocation lists and API-key hashes are security data: losing them silently re-admits revoked callers. Enable pointInTimeRecovery and deletionProtection on the table and on each replica.',
    level: NagMessageLevel.ERROR,
    resourceTypes: ['AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable'],
    pci: [],
    hipaa: ['164.312(c)(1)'],
    nist: ['CP-9', 'CP-10'],
    awsSolutions: true,
  },
};
