import { CfnResource } from 'aws-cdk-lib';
import { at, DEFAULT_RULE_CONTEXT, NagMessageLevel, NagRuleCompliance, PlatformRule, propsOf, RuleContext, verdict } from '../rule';

/** Cognito user pools require MFA (MfaConfiguration ON) and enforce threat protection (AdvancedSecurityMode ENFORCED). */
export function CognitoMfaThreatProtection(node: CfnResource, _ctx: RuleContext = DEFAULT_RULE_CONTEXT): NagRuleCompliance {
  if (node.cfnResourceType !== 'AWS::Cognito::UserPool') return NagRuleCompliance.NOT_APPLICABLE;
  const props = propsOf(node);
  return verdict(props.MfaConfiguration === 'ON' && at(props, 'UserPoolAddOns', 'AdvancedSecurityMode') === 'ENFORCED');
}

export const CognitoMfaThreatProtectionRule: PlatformRule = {
  check: CognitoMfaThreatProtection,
  meta: {
    name: 'CognitoMfaThreatProtection',
    requirement: 'Cognito user pools require MFA (MfaConfiguration ON) and enforce threat protection (AdvancedSecurityMode ENFORCED).',
    info: 'The user pool does not require MFA, or its threat protection is off or audit-only.',
    explanation: 'MFA is required for all access into the cardholder data environment (PCI DSS 8.4.2); compromised-credential and adaptive authentication block credential stuffing (8.3.4). Use mfa: REQUIRED, featurePlan: PLUS and standardThreatProtectionMode: FULL_FUNCTION.',
    level: NagMessageLevel.ERROR,
    resourceTypes: ['AWS::Cognito::UserPool'],
    pci: ['8.4.2', '8.3.4'],
    hipaa: ['164.312(d)'],
    nist: ['IA-2(1)', 'IA-2(2)', 'AC-7'],
    awsSolutions: true,
  },
};
