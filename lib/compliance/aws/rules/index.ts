import { ComplianceProfile } from '../../../spec/types';
import { PlatformRule } from '../rule';
import { AccessLogFormatRule } from './access-log-format';
import { ApiMethodAuthorizerRule } from './api-method-authorizer';
import { AuditBucketObjectLockRule } from './audit-bucket-object-lock';
import { AuthFailureAlarmRule } from './auth-failure-alarm';
import { AuthorizerCacheTtlRule } from './authorizer-cache-ttl';
import { CloudTrailMultiRegionRule } from './cloud-trail-multi-region';
import { CognitoMfaThreatProtectionRule } from './cognito-mfa-threat-protection';
import { CorsNoWildcardRule } from './cors-no-wildcard';
import { CustomDomainTlsRule } from './custom-domain-tls';
import { DynamoDbProtectionRule } from './dynamo-db-protection';
import { KmsKeyRotationRule } from './kms-key-rotation';
import { LambdaReservedConcurrencyRule } from './lambda-reserved-concurrency';
import { LogGroupRetentionRule } from './log-group-retention';
import { MutualTlsRule } from './mutual-tls';
import { PublicRouteInSpecRule } from './public-route-in-spec';
import { SecretRotationRule } from './secret-rotation';
import { StageWebAclRule } from './stage-web-acl';

export * from './access-log-format';
export * from './api-method-authorizer';
export * from './audit-bucket-object-lock';
export * from './auth-failure-alarm';
export * from './authorizer-cache-ttl';
export * from './cloud-trail-multi-region';
export * from './cognito-mfa-threat-protection';
export * from './cors-no-wildcard';
export * from './custom-domain-tls';
export * from './dynamo-db-protection';
export * from './kms-key-rotation';
export * from './lambda-reserved-concurrency';
export * from './log-group-retention';
export * from './mutual-tls';
export * from './public-route-in-spec';
export * from './secret-rotation';
export * from './stage-web-acl';

/** Every platform rule, in the order the pack applies them (request path first, then keys, audit, data). */
export const PLATFORM_RULES: readonly PlatformRule[] = [
  ApiMethodAuthorizerRule,
  PublicRouteInSpecRule,
  AuthorizerCacheTtlRule,
  StageWebAclRule,
  CustomDomainTlsRule,
  MutualTlsRule,
  CorsNoWildcardRule,
  AccessLogFormatRule,
  CognitoMfaThreatProtectionRule,
  LambdaReservedConcurrencyRule,
  KmsKeyRotationRule,
  SecretRotationRule,
  AuditBucketObjectLockRule,
  CloudTrailMultiRegionRule,
  AuthFailureAlarmRule,
  LogGroupRetentionRule,
  DynamoDbProtectionRule,
];

/** Whether a profile selects a rule: the rule maps to the profile's framework (AWS Solutions: the baseline flag). */
export function ruleAppliesTo(rule: PlatformRule, profile: ComplianceProfile): boolean {
  switch (profile) {
    case 'PCI_DSS': return rule.meta.pci.length > 0;
    case 'HIPAA': return rule.meta.hipaa.length > 0;
    case 'NIST_800_53': return rule.meta.nist.length > 0;
    case 'AWS_SOLUTIONS': return rule.meta.awsSolutions;
    default: return false;
  }
}

/** The platform rules the given profiles select (their union), in pack order. */
export function platformRulesFor(profiles: readonly ComplianceProfile[]): PlatformRule[] {
  return PLATFORM_RULES.filter((r) => profiles.some((p) => ruleAppliesTo(r, p)));
}
