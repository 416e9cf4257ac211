/**
 * The acknowledgment rule for Terraform findings: the policy of lib/compliance/acknowledge.ts (one named rule, a reason
 * an assessor would accept), applied to the Terraform pack's rule ids. Pure: the cdktf adapter (`acknowledgeTf` in
 * constructs/azure) applies it and records the acknowledgment on the resource.
 */
import { reasonProblem, TF_RULE_ID_RE } from '../acknowledge';

export { TF_RULE_ID_RE };
/** Key under a resource's `//` metadata in cdk.tf.json where acknowledgments are recorded (rule id to reason). */
export const TF_ACKNOWLEDGMENTS_KEY = 'acknowledgments';

/** Returns why an acknowledgment is refused, or undefined when it is acceptable. */
export function tfAcknowledgmentProblem(ruleId: unknown, reason: unknown): string | undefined {
  if (typeof ruleId !== 'string' || !TF_RULE_ID_RE.test(ruleId)) {
    return `acknowledgeTf(): ruleId must name one rule of the Terraform pack, e.g. "SecureApiAz-ApimAuthorization" (received: ${JSON.stringify(ruleId)})`;
  }
  return reasonProblem('acknowledgeTf', ruleId, reason);
}
