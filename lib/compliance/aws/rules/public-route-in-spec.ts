import { CfnResource } from 'aws-cdk-lib';
import { isCorsPreflight, isSpecPublic, isUnauthorized, methodPath } from '../helpers';
import { DEFAULT_RULE_CONTEXT, NagMessageLevel, NagRuleCompliance, PlatformRule, propsOf, RuleContext, stackIndex, verdict } from '../rule';

/** Every public (unauthorized) API method is a route the spec names public, or a CORS preflight. */
export function PublicRouteInSpec(node: CfnResource, ctx: RuleContext = DEFAULT_RULE_CONTEXT): NagRuleCompliance {
  const type = node.cfnResourceType;
  if (type !== 'AWS::ApiGateway::Method' && type !== 'AWS::ApiGatewayV2::Route') return NagRuleCompliance.NOT_APPLICABLE;
  const props = propsOf(node);
  if (!isUnauthorized(props)) return NagRuleCompliance.NOT_APPLICABLE;
  if (type === 'AWS::ApiGatewayV2::Route') {
    if (typeof props.RouteKey !== 'string') return NagRuleCompliance.NON_COMPLIANT;
    const [method, path] = props.RouteKey.split(' ');
    return verdict(isSpecPublic(method, path ?? '', ctx));
  }
  if (isCorsPreflight(props)) return NagRuleCompliance.COMPLIANT;
  const path = methodPath(props, stackIndex(node));
  const method = props.HttpMethod;
  // A path that cannot be derived cannot be matched against the spec: fail closed.
  return verdict(path !== undefined && typeof method === 'string' && isSpecPublic(method, path, ctx));
}

export const PublicRouteInSpecRule: PlatformRule = {
  check: PublicRouteInSpec,
  meta: {
    name: 'PublicRouteInSpec',
    requirement: 'Every public (unauthorized) API method is a route the spec declares public (with its reason), or a CORS preflight.',
    info: 'The API method allows unauthenticated access but the spec does not name it as a public route.',
    explanation: 'Functions permitted without identification must be documented and justified (NIST AC-14). Declare the route `public: true` with `publicReason` in the spec, or require authorization.',
    level: NagMessageLevel.ERROR,
    resourceTypes: ['AWS::ApiGateway::Method', 'AWS::ApiGatewayV2::Route'],
    pci: ['7.2.1', '7.2.2'],
    hipaa: ['164.312(a)(1)'],
    nist: ['AC-14', 'AC-3', 'CM-7'],
    awsSolutions: true,
  },
};
