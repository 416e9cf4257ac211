// The `./compliance` entry point (an AWS app's: loads aws-cdk-lib and cdk-nag). The layers:
//   lib/compliance/*.ts and report/  the cloud-neutral core: rule shape, control sets, acknowledgment policy, evidence, reports
//   lib/compliance/aws/              cdk-nag packs, the platform pack and its rules, Compliance.enforce, recording
//   lib/compliance/terraform/        the Terraform rule engine (the Azure entry point's; not exported here)
export {
  ACK_CONDITION_METADATA_KEY, type Acknowledgment, AWS_RULE_ID_RE, MIN_REASON_LENGTH, MIN_REASON_WORDS, reasonProblem, TF_RULE_ID_RE,
} from './acknowledge';
export { ruleFileName, ruleName } from './rule';
export type { ComplianceRule, ControlMapping, PublicRouteRef } from './rule';
export { type RuleControls, type RuleInfo, type RuleResult, type RuleStatus } from './recording';
export {
  type AcknowledgmentRecord, type DemoMode, EVIDENCE_SCHEMA_VERSION, type EvidenceBundle, findingsOf, packageVersion, packVersion,
  type Provenance, provenanceOf, sortKeys, toolVersions, withTrace,
} from './evidence';
export { CONTROL_SETS, REQUIREMENT_TITLES } from './controls';
export { renderReports, writeReports, acknowledgmentsFromAssembly, REPORT_DIR, REPORT_FILES } from './report/render';
export type { ReportPaths } from './report/render';
export { toSarif } from './report/sarif';
export type { SarifLog } from './report/sarif';
export { toJUnit } from './report/junit';
export { toMarkdown } from './report/markdown';
export { toHtml } from './report/html';
export {
  AccessLogFormat, AccessLogFormatRule, ACK_REASON_RULE_ID, acknowledge, acknowledgmentCondition, acknowledgmentsOf, ApiMethodAuthorizer,
  ApiMethodAuthorizerRule, AUDIT_ARCHIVE_ROLE, AuditBucketObjectLock, AuditBucketObjectLockRule, AuthFailureAlarm, AuthFailureAlarmRule,
  AuthorizerCacheTtl, AuthorizerCacheTtlRule, CloudTrailMultiRegion, CloudTrailMultiRegionRule, CognitoMfaThreatProtection,
  CognitoMfaThreatProtectionRule, collectEvidence, Compliance, ComplianceReporter, type ComplianceReporterProps, CorsNoWildcard,
  CorsNoWildcardRule, CustomDomainTls, CustomDomainTlsRule, DEFAULT_RULE_CONTEXT, DynamoDbProtection, DynamoDbProtectionRule,
  type EnforceOptions, type EvidenceOptions, type IRecordingPack, isRecordingPack, KmsKeyRotation, KmsKeyRotationRule,
  LambdaReservedConcurrency, LambdaReservedConcurrencyRule, LogGroupRetention, LogGroupRetentionRule, markAuditArchive, MutualTls,
  MutualTlsRule, normalizeRuleId, PLATFORM_PACK_NAME, PLATFORM_RULES, type PlatformRule, platformRuleId, platformRulesFor, PROFILE_PACKS,
  PublicRouteInSpec, PublicRouteInSpecRule, RecordingAwsSolutionsChecks, RecordingHIPAASecurityChecks, RecordingNIST80053R5Checks,
  RecordingPCIDSS321Checks, ResourceFacts, ROLE_MARKER_KEY, ruleAppliesTo, type RuleCheck, ruleContext, type RuleContext,
  type RuleContextInput, RuleRecorder, rulesDocument, rulesMarkdownTable, SecretRotation, SecretRotationRule, SecureApiChecks,
  type SecureApiChecksProps, StageWebAcl, StageWebAclRule,
} from './aws';
