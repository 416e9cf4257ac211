import { CfnResource } from 'aws-cdk-lib';
import { WORM_OBJECT_LOCK_MODE } from '../../../spec/resolve';
import { CONTROL_SETS } from '../../controls';
import { AUDIT_ARCHIVE_ROLE, roleOf } from '../markers';
import { at, DEFAULT_RULE_CONTEXT, isTrue, NagMessageLevel, NagRuleCompliance, PlatformRule, propsOf, RuleContext, verdict } from '../rule';

/** The audit archive bucket (marked `secure-api:role=audit-archive`) has Object Lock in COMPLIANCE mode for at least the profile minimum. */
export function AuditBucketObjectLock(node: CfnResource, ctx: RuleContext = DEFAULT_RULE_CONTEXT): NagRuleCompliance {
  if (node.cfnResourceType !== 'AWS::S3::Bucket' || roleOf(node) !== AUDIT_ARCHIVE_ROLE) return NagRuleCompliance.NOT_APPLICABLE;
  const props = propsOf(node);
  const lock = props.ObjectLockConfiguration;
  const retention = at(lock, 'Rule', 'DefaultRetention');
  const years = at(retention, 'Years');
  const days = at(retention, 'Days');
  const minYears = ctx.minimums.auditRetentionYears;
  const longEnough = (typeof years === 'number' && years >= minYears) || (typeof days === 'number' && days >= minYears * 365);
  return verdict(isTrue(props.ObjectLockEnabled) && at(lock, 'ObjectLockEnabled') === 'Enabled' && at(retention, 'Mode') === WORM_OBJECT_LOCK_MODE && longEnough);
}

export const AuditBucketObjectLockRule: PlatformRule = {
  id: 'SecureApi-AuditBucketObjectLock',
  requirement: 'The audit archive bucket (marked secure-api:role=audit-archive) has Object Lock in COMPLIANCE mode with default retention >= the profile minimum.',
  controls: CONTROL_SETS.auditArchive,
  resourceTypes: ['AWS::S3::Bucket'],
  check: AuditBucketObjectLock,
  info: 'The audit archive bucket is not write-once: Object Lock is off, in GOVERNANCE mode, or retains for less than the profiles require.',
  explanation: 'Audit logs must be protected from modification and kept for the required period (PCI DSS 10.3.3 and 10.5.1: 12 months; HIPAA: 6 years; NIST AU-11). COMPLIANCE mode cannot be shortened or lifted, even by the root user. Demo mode (GOVERNANCE, 1 day) must be acknowledged.',
  level: NagMessageLevel.ERROR,
  awsSolutions: false,
};
