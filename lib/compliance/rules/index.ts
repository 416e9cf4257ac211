import { ComplianceProfile } from '../../spec/types';
import { PlatformRule } from '../rule';
import { AccessLogFormatRule } from './AccessLogFormat';
import { ApiMethodAuthorizerRule } from './ApiMethodAuthorizer';
import { AuditBucketObjectLockRule } from './AuditBucketObjectLock';
import { AuthFailureAlarmRule } from './AuthFailureAlarm';
import { AuthorizerCacheTtlRule } from './AuthorizerCacheTtl';
import { CloudTrailMultiRegionRule } from './CloudTrailMultiRegion';
import { CognitoMfaThreatProtectionRule } from './CognitoMfaThreatProtection';
import { CorsNoWildcardRule } from './CorsNoWildcard';
import { CustomDomainTlsRule } from './CustomDomainTls';
import { DynamoDbProtectionRule } from './DynamoDbProtection';
import { KmsKeyRotationRule } from './KmsKeyRotation';
import { LambdaReservedConcurrencyRule } from './LambdaReservedConcurrency';
import { LogGroupRetentionRule } from './LogGroupRetention';
import { MutualTlsRule } from './MutualTls';
import { PublicRouteInSpecRule } from './PublicRouteInSpec';
import { SecretRotationRule } from './SecretRotation';
import { StageWebAclRule } from './StageWebAcl';

export * from './AccessLogFormat';
export * from './ApiMethodAuthorizer';
export * from './AuditBucketObjectLock';
export * from './AuthFailureAlarm';
export * from './AuthorizerCacheTtl';
export * from './CloudTrailMultiRegion';
export * from './CognitoMfaThreatProtection';
export * from './CorsNoWildcard';
export * from './CustomDomainTls';
export * from './DynamoDbProtection';
export * from './KmsKeyRotation';
export * from './LambdaReservedConcurrency';
export * from './LogGroupRetention';
export * from './MutualTls';
export * from './PublicRouteInSpec';
export * from './SecretRotation';
export * from './StageWebAcl';

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
