import { CfnResource } from 'aws-cdk-lib';
import { DEFAULT_RULE_CONTEXT, NagMessageLevel, NagRuleCompliance, PlatformRule, propsOf, RuleContext, verdict } from '../rule';

/** Authorizer results are cached at most 300 seconds, so a revoked token stops working within five minutes. */
export function AuthorizerCacheTtl(node: CfnResource, ctx: RuleContext = DEFAULT_RULE_CONTEXT): NagRuleCompliance {
  const type = node.cfnResourceType;
  if (type !== 'AWS::ApiGateway::Authorizer' && type !== 'AWS::ApiGatewayV2::Authorizer') return NagRuleCompliance.NOT_APPLICABLE;
  const ttl = propsOf(node).AuthorizerResultTtlInSeconds;
  // Absent: API Gateway's default (300 s REST, 0 HTTP APIs).
  if (ttl === undefined) return NagRuleCompliance.COMPLIANT;
  const n = typeof ttl === 'string' && /^\d+$/.test(ttl) ? Number(ttl) : ttl;
  return verdict(typeof n === 'number' && n >= 0 && n <= ctx.maxAuthorizerCacheTtl);
}

export const AuthorizerCacheTtlRule: PlatformRule = {
  check: AuthorizerCacheTtl,
  meta: {
    name: 'AuthorizerCacheTtl',
    requirement: 'Authorizer results are cached for at most 300 seconds (revocations take effect within that bound).',
    info: 'The authorizer caches its decisions longer than 300 seconds, or the TTL cannot be read.',
    explanation: 'A cached Allow outlives a revoked token or a removed permission. Keep AuthorizerResultTtlInSeconds <= 300 (the platform uses 60).',
    level: NagMessageLevel.ERROR,
    resourceTypes: ['AWS::ApiGateway::Authorizer', 'AWS::ApiGatewayV2::Authorizer'],
    pci: ['8.2.8'],
    hipaa: ['164.312(a)(2)(iii)'],
    nist: ['AC-12', 'AC-3'],
    awsSolutions: true,
  },
};
