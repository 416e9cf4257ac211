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

export { AccessLogFormat, AccessLogFormatRule } from './access-log-format';
export { ApiMethodAuthorizer, ApiMethodAuthorizerRule } from './api-method-authorizer';
export { AuditBucketObjectLock, AuditBucketObjectLockRule } from './audit-bucket-object-lock';
export { AuthFailureAlarm, AuthFailureAlarmRule } from './auth-failure-alarm';
export { AuthorizerCacheTtl, AuthorizerCacheTtlRule } from './authorizer-cache-ttl';
export { CloudTrailMultiRegion, CloudTrailMultiRegionRule } from './cloud-trail-multi-region';
export { CognitoMfaThreatProtection, CognitoMfaThreatProtectionRule } from './cognito-mfa-threat-protection';
export { CorsNoWildcard, CorsNoWildcardRule } from './cors-no-wildcard';
export { CustomDomainTls, CustomDomainTlsRule } from './custom-domain-tls';
export { DynamoDbProtection, DynamoDbProtectionRule } from './dynamo-db-protection';
export { KmsKeyRotation, KmsKeyRotationRule } from './kms-key-rotation';
export { LambdaReservedConcurrency, LambdaReservedConcurrencyRule } from './lambda-reserved-concurrency';
export { LogGroupRetention, LogGroupRetentionRule } from './log-group-retention';
export { MutualTls, MutualTlsRule } from './mutual-tls';
export { PublicRouteInSpec, PublicRouteInSpecRule } from './public-route-in-spec';
export { SecretRotation, SecretRotationRule } from './secret-rotation';
export { StageWebAcl, StageWebAclRule } from './stage-web-acl';

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
    case 'PCI_DSS': return rule.controls.pci.length > 0;
    case 'HIPAA': return rule.controls.hipaa.length > 0;
    case 'NIST_800_53': return rule.controls.nist.length > 0;
    case 'AWS_SOLUTIONS': return rule.awsSolutions;
    default: return false;
  }
}

/** The platform rules the given profiles select (their union), in pack order. */
export function platformRulesFor(profiles: readonly ComplianceProfile[]): PlatformRule[] {
  return PLATFORM_RULES.filter((r) => profiles.some((p) => ruleAppliesTo(r, p)));
}
