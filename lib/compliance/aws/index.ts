// The AWS side of compliance: cdk-nag's packs (recording every result), the platform pack (`SecureApi-*`) and its
// rules, acknowledgments over CDK's Validations, Compliance.enforce and the evidence reporter. Loads aws-cdk-lib and cdk-nag.
export { acknowledge, acknowledgmentCondition, acknowledgmentsOf, normalizeRuleId } from './acknowledge';
export { Compliance, type EnforceOptions, PROFILE_PACKS } from './enforce';
export { PLATFORM_PACK_NAME, ruleContext, DEFAULT_RULE_CONTEXT, platformRuleId } from './rule';
export type { RuleContext, RuleContextInput, RuleCheck, PlatformRule } from './rule';
export { AUDIT_ARCHIVE_ROLE, markAuditArchive, ROLE_MARKER_KEY } from './markers';
export {
  type IRecordingPack, isRecordingPack, RecordingAwsSolutionsChecks, RecordingHIPAASecurityChecks, RecordingNIST80053R5Checks,
  RecordingPCIDSS321Checks, ResourceFacts, RuleRecorder,
} from './recording';
export { SecureApiChecks, type SecureApiChecksProps } from './platform-pack';
export {
  AccessLogFormat, AccessLogFormatRule, ApiMethodAuthorizer, ApiMethodAuthorizerRule, AuditBucketObjectLock, AuditBucketObjectLockRule,
  AuthFailureAlarm, AuthFailureAlarmRule, AuthorizerCacheTtl, AuthorizerCacheTtlRule, CloudTrailMultiRegion, CloudTrailMultiRegionRule,
  CognitoMfaThreatProtection, CognitoMfaThreatProtectionRule, CorsNoWildcard, CorsNoWildcardRule, CustomDomainTls, CustomDomainTlsRule,
  DynamoDbProtection, DynamoDbProtectionRule, KmsKeyRotation, KmsKeyRotationRule, LambdaReservedConcurrency, LambdaReservedConcurrencyRule,
  LogGroupRetention, LogGroupRetentionRule, MutualTls, MutualTlsRule, PLATFORM_RULES, platformRulesFor, PublicRouteInSpec,
  PublicRouteInSpecRule, ruleAppliesTo, SecretRotation, SecretRotationRule, StageWebAcl, StageWebAclRule,
} from './rules';
export { collectEvidence, type EvidenceOptions } from './evidence';
export { ACK_REASON_RULE_ID, ComplianceReporter, type ComplianceReporterProps } from './reporter';
export { rulesDocument, rulesMarkdownTable } from './docs';
