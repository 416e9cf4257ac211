// The AWS side of compliance: cdk-nag's packs (recording every result), the platform pack (`SecureApi-*`) and its
// rules, acknowledgments over CDK's Validations, Compliance.enforce and the evidence reporter. Loads aws-cdk-lib and cdk-nag.
export * from './acknowledge';
export * from './enforce';
export { PLATFORM_PACK_NAME, ruleContext, DEFAULT_RULE_CONTEXT, platformRuleId } from './rule';
export type { RuleContext, RuleContextInput, RuleCheck, PlatformRuleMeta, PlatformRule } from './rule';
export * from './markers';
export * from './recording';
export * from './platform-pack';
export * from './rules';
export * from './evidence';
export * from './reporter';
export * from './docs';
