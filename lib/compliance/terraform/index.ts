export {
  type TfAcknowledgment, type TfAttributes, type TfCheckOptions, type TfComplianceReport, type TfConfig, type TfControls, type TfResource,
  type TfRule, type TfRuleContext, type TfRuleResult, type TfRuleStatus, type TfRuleVerdict,
} from './types';
export { CONTROL_SETS } from '../controls';
export type { ComplianceRule, ControlMapping } from '../rule';
export { TF_ACKNOWLEDGMENTS_KEY, TF_RULE_ID_RE, tfAcknowledgmentProblem } from './acknowledge';
export { acknowledgmentsIn, checkTerraform, formatFindings, TERRAFORM_RULES } from './pack';
export { POLICY_INITIATIVES } from './rules/policy-initiatives';
