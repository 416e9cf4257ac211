import { CfnResource } from 'aws-cdk-lib';
import { at, DEFAULT_RULE_CONTEXT, isObject, isUnresolved, Json, NagMessageLevel, NagRuleCompliance, PlatformRule, propsOf, RuleContext, verdict } from '../rule';

/** The lowest TLS version a policy negotiates, or undefined for a policy this rule does not know (fail closed). */
export function minTlsOfPolicy(policy: Json | undefined): number | undefined {
  if (typeof policy !== 'string') return undefined;
  if (/^SecurityPolicy_TLS13_1_3_/.test(policy) || policy === 'SecurityPolicy_TLS13_2025_EDGE') return 1.3;
  if (policy === 'TLS_1_2' || /^SecurityPolicy_TLS13_1_2_/.test(policy) || /^SecurityPolicy_TLS12_/.test(policy)) return 1.2;
  if (/^TLSv1\.3_/.test(policy)) return 1.3; // CloudFront
  if (/^TLSv1\.2_/.test(policy)) return 1.2;
  if (policy === 'TLS_1_0' || /^TLSv1(\.1)?(_\d+)?$/.test(policy) || policy === 'SSLv3') return 1.0;
  return undefined;
}

function meets(policy: Json | undefined, min: number): boolean {
  const v = minTlsOfPolicy(policy);
  return v !== undefined && v >= min;
}

/** Custom domains use a TLS 1.2+ policy, TLS 1.3 (the default) on every domain without mutual TLS. */
export function CustomDomainTls(node: CfnResource, ctx: RuleContext = DEFAULT_RULE_CONTEXT): NagRuleCompliance {
  const props = propsOf(node);
  const strict = ctx.minTlsVersion === '1.3' ? 1.3 : 1.2;
  switch (node.cfnResourceType) {
    case 'AWS::ApiGateway::DomainName': {
      // API Gateway refuses mTLS on TLS 1.3 policies: a partner (mTLS) domain is held to TLS 1.2.
      const mtls = isObject(props.MutualTlsAuthentication) && props.MutualTlsAuthentication.TruststoreUri !== undefined;
      return verdict(meets(props.SecurityPolicy, mtls ? 1.2 : strict));
    }
    case 'AWS::ApiGatewayV2::DomainName': {
      const configs = props.DomainNameConfigurations;
      const mtls = isObject(props.MutualTlsAuthentication) && props.MutualTlsAuthentication.TruststoreUri !== undefined;
      if (!Array.isArray(configs) || configs.length === 0) return NagRuleCompliance.NON_COMPLIANT;
      return verdict(configs.every((c) => meets(at(c, 'SecurityPolicy'), mtls ? 1.2 : strict)));
    }
    case 'AWS::CloudFront::Distribution': {
      const cert = at(props, 'DistributionConfig', 'ViewerCertificate');
      // The default *.cloudfront.net certificate is not a custom domain.
      if (!isObject(cert) || (cert.AcmCertificateArn === undefined && cert.IamCertificateId === undefined)) return NagRuleCompliance.NOT_APPLICABLE;
      if (isUnresolved(cert.MinimumProtocolVersion)) return NagRuleCompliance.NON_COMPLIANT;
      return verdict(meets(cert.MinimumProtocolVersion, strict) && cert.SslSupportMethod !== 'vip');
    }
    default:
      return NagRuleCompliance.NOT_APPLICABLE;
  }
}

export const CustomDomainTlsRule: PlatformRule = {
  check: CustomDomainTls,
  meta: {
    name: 'CustomDomainTls',
    requirement: 'Custom domains (API Gateway, CloudFront) use a TLS 1.2+ policy; TLS 1.3 (by default) on every domain without mutual TLS.',
    info: 'The custom domain allows a TLS version below the required minimum, or its security policy is unknown or unresolved.',
    explanation: 'Only strong cryptography may protect data in transit over open networks. Use SecurityPolicy_TLS13_1_3_2025_09 (or its FIPS variant) on public domains, TLS_1_2 only on the partner mTLS domain, and TLSv1.3_2025 on CloudFront.',
    level: NagMessageLevel.ERROR,
    resourceTypes: ['AWS::ApiGateway::DomainName', 'AWS::ApiGatewayV2::DomainName', 'AWS::CloudFront::Distribution'],
    pci: ['4.2.1'],
    hipaa: ['164.312(e)(1)', '164.312(e)(2)(ii)'],
    nist: ['SC-8', 'SC-8(1)', 'SC-13'],
    awsSolutions: true,
  },
};
