import { CfnResource } from 'aws-cdk-lib';
import { DEFAULT_RULE_CONTEXT, isObject, isUnresolved, NagMessageLevel, NagRuleCompliance, PlatformRule, propsOf, RuleContext, verdict } from '../rule';

/** Custom domains the spec serves with mutual TLS have a truststore (s3:// PEM bundle) configured. */
export function MutualTls(node: CfnResource, ctx: RuleContext = DEFAULT_RULE_CONTEXT): NagRuleCompliance {
  const type = node.cfnResourceType;
  if (type !== 'AWS::ApiGateway::DomainName' && type !== 'AWS::ApiGatewayV2::DomainName') return NagRuleCompliance.NOT_APPLICABLE;
  if (ctx.mtlsDomains.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
  const props = propsOf(node);
  // A domain name that cannot be read may be the partner domain: fail closed.
  if (typeof props.DomainName !== 'string' || isUnresolved(props.DomainName)) return NagRuleCompliance.NON_COMPLIANT;
  if (!ctx.mtlsDomains.includes(props.DomainName.toLowerCase())) return NagRuleCompliance.NOT_APPLICABLE;
  const mtls = props.MutualTlsAuthentication;
  return verdict(isObject(mtls) && typeof mtls.TruststoreUri === 'string' && /^s3:\/\/[^/]+\/.+/.test(mtls.TruststoreUri));
}

export const MutualTlsRule: PlatformRule = {
  check: MutualTls,
  meta: {
    name: 'MutualTls',
    requirement: 'Custom domains the spec serves with mutual TLS (domain.mtls) require client certificates from the configured truststore.',
    info: 'The spec asks for mutual TLS on this domain, but it has no truststore configured.',
    explanation: 'Partner systems authenticate with certificates (and certificate-bound tokens, RFC 8705). Set MutualTlsAuthentication.TruststoreUri to the s3:// PEM bundle of the partners\' CAs.',
    level: NagMessageLevel.ERROR,
    resourceTypes: ['AWS::ApiGateway::DomainName', 'AWS::ApiGatewayV2::DomainName'],
    pci: ['4.2.1', '8.3.1'],
    hipaa: ['164.312(d)', '164.312(e)(1)'],
    nist: ['IA-3', 'IA-5(2)', 'SC-8'],
    awsSolutions: true,
  },
};
