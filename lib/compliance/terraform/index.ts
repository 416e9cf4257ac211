export * from './types';
export { CONTROL_SETS } from '../controls';
export type { ComplianceRule, ControlMapping } from '../rule';
export * from './acknowledge';
export * from './pack';
export { isUnresolved } from './util';
export { POLICY_INITIATIVES } from './rules/policy-initiatives';
