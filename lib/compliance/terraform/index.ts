export * from './types';
export * from './controls';
export * from './acknowledge';
export * from './pack';
export { isUnresolved } from './util';
export { POLICY_INITIATIVES } from './rules/policy-initiatives';
