import { CfnResource } from 'aws-cdk-lib';
import { REGIONAL_WEB_ACL_SCOPE } from '../../../spec/contracts/names';
import { CONTROL_SETS } from '../../controls';
import { restApiIdOf, serialized } from '../helpers';
import { at, DEFAULT_RULE_CONTEXT, IndexedResource, isObject, logicalIdOf, NagMessageLevel, NagRuleCompliance, PlatformRule, propsOf, referencedIds, RuleContext, stackIndex, verdict } from '../rule';

/** A web ACL qualifies when it is REGIONAL and has a rate-based rule. */
function isRegionalRateLimited(acl: IndexedResource | undefined): boolean {
  if (!acl || acl.type !== 'AWS::WAFv2::WebACL' || acl.props.Scope !== REGIONAL_WEB_ACL_SCOPE) return false;
  const rules = acl.props.Rules;
  return Array.isArray(rules) && rules.some((r) => isObject(at(r, 'Statement', 'RateBasedStatement')) && isObject(at(r, 'Action', 'Block')));
}

/** Every API stage is associated with a regional web ACL that has a blocking rate-based rule. */
export function StageWebAcl(node: CfnResource, _ctx: RuleContext = DEFAULT_RULE_CONTEXT): NagRuleCompliance {
  if (node.cfnResourceType !== 'AWS::ApiGateway::Stage') return NagRuleCompliance.NOT_APPLICABLE;
  const props = propsOf(node);
  const apiId = restApiIdOf(props);
  const stageId = logicalIdOf(node);
  const stageName = typeof props.StageName === 'string' ? props.StageName : undefined;
  if (apiId === undefined) return NagRuleCompliance.NON_COMPLIANT;
  const index = stackIndex(node);
  const associated = index.ofType('AWS::WAFv2::WebACLAssociation').filter((a) => {
    const arn = serialized(a.props.ResourceArn);
    // The stage ARN names the API (Ref) and the stage (Ref to the stage, or its literal name).
    return arn.includes(JSON.stringify({ Ref: apiId })) &&
      (arn.includes(JSON.stringify({ Ref: stageId })) || (stageName !== undefined && arn.includes(`/stages/${stageName}"`)));
  });
  return verdict(associated.some((a) => referencedIds(a.props.WebACLArn).some((id) => isRegionalRateLimited(index.byId.get(id)))));
}

export const StageWebAclRule: PlatformRule = {
  id: 'SecureApi-StageWebAcl',
  requirement: 'Every API stage is associated with a REGIONAL WAF web ACL that has a blocking rate-based rule.',
  controls: CONTROL_SETS.apiWebAcl,
  resourceTypes: ['AWS::ApiGateway::Stage'],
  check: StageWebAcl,
  info: 'The API stage has no associated regional web ACL with a rate-based rule.',
  explanation: 'Public-facing web applications need an automated solution that detects and prevents web-based attacks (PCI DSS 6.4.2) and floods. Associate the platform\'s regional web ACL (managed rule groups + rate limits) with the stage; the association must be in the stage\'s stack.',
  level: NagMessageLevel.ERROR,
  awsSolutions: true,
};
