import { CfnResource } from 'aws-cdk-lib';
import { isCorsPreflight, isSpecPublic, isUnauthorized, methodPath } from '../helpers';
import { DEFAULT_RULE_CONTEXT, NagMessageLevel, NagRuleCompliance, PlatformRule, propsOf, RuleContext, stackIndex, verdict } from '../rule';

const AUTHORIZED = ['CUSTOM', 'COGNITO_USER_POOLS', 'AWS_IAM', 'JWT'];

/** Every API method (and HTTP API route) requires an authorizer, except CORS preflights and the spec's public routes. */
export function ApiMethodAuthorizer(node: CfnResource, ctx: RuleContext = DEFAULT_RULE_CONTEXT): NagRuleCompliance {
  const type = node.cfnResourceType;
  if (type !== 'AWS::ApiGateway::Method' && type !== 'AWS::ApiGatewayV2::Route') return NagRuleCompliance.NOT_APPLICABLE;
  const props = propsOf(node);
  const auth = props.AuthorizationType;
  if (type === 'AWS::ApiGatewayV2::Route') {
    if (typeof props.RouteKey !== 'string') return NagRuleCompliance.NON_COMPLIANT;
    const [method, path] = props.RouteKey.split(' ');
    if (isUnauthorized(props)) return isSpecPublic(method, path ?? '', ctx) ? NagRuleCompliance.NOT_APPLICABLE : NagRuleCompliance.NON_COMPLIANT;
    return verdict(typeof auth === 'string' && AUTHORIZED.includes(auth) && (auth === 'AWS_IAM' || props.AuthorizerId !== undefined));
  }
  if (isUnauthorized(props)) {
    if (isCorsPreflight(props)) return NagRuleCompliance.NOT_APPLICABLE;
    const path = methodPath(props, stackIndex(node));
    const method = props.HttpMethod;
    // The public-route rule owns the spec's exceptions; anything else unauthorized is a finding here.
    return path !== undefined && typeof method === 'string' && isSpecPublic(method, path, ctx) ? NagRuleCompliance.NOT_APPLICABLE : NagRuleCompliance.NON_COMPLIANT;
  }
  if (typeof auth !== 'string' || !AUTHORIZED.includes(auth)) return NagRuleCompliance.NON_COMPLIANT;
  // CUSTOM and COGNITO need the authorizer they name; AWS_IAM is SigV4 and needs none.
  return verdict(auth === 'AWS_IAM' || props.AuthorizerId !== undefined);
}

export const ApiMethodAuthorizerRule: PlatformRule = {
  check: ApiMethodAuthorizer,
  meta: {
    name: 'ApiMethodAuthorizer',
    requirement: 'Every API method requires an authorizer (Lambda, Cognito or IAM), except CORS preflights (OPTIONS + MOCK) and the spec\'s public routes.',
    info: 'The API method is reachable without an authorizer and is not a public route of the spec.',
    explanation: 'Access to cardholder data and ePHI must be authenticated and authorized per request. Attach the platform authorizer, or declare the route public in the spec with a reason an assessor accepts.',
    level: NagMessageLevel.ERROR,
    resourceTypes: ['AWS::ApiGateway::Method', 'AWS::ApiGatewayV2::Route'],
    pci: ['7.2.1', '8.3.1'],
    hipaa: ['164.312(a)(1)', '164.312(d)'],
    nist: ['AC-3', 'IA-2'],
    awsSolutions: true,
  },
};
