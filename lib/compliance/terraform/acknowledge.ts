/**
 * The acknowledgment rule for Terraform findings, the same as the AWS side's `acknowledge()`: one named rule, a
 * reason an assessor would accept (>= 30 characters and 5 words, not a placeholder). Pure: the cdktf adapter
 * (`acknowledgeTf` in constructs/azure) applies it and records the acknowledgment on the resource.
 */

/** Rule ids of the Terraform pack, with an optional `[finding]` qualifier. */
export const TF_RULE_ID_RE = /^SecureApiAz-[A-Za-z0-9]+(\[[^\]]+\])?$/;
/** Reasons that explain nothing to an assessor (kept in step with lib/compliance/acknowledge.ts). */
const TRIVIAL = /^(n\/?a|na|none|ok|okay|todo|tbd|fixme|false positive|not needed|not applicable|ignore|suppressed?|accepted|by design|wip|test|temp|temporary)\.?$/i;
export const TF_MIN_REASON_LENGTH = 30;
/** Key under a resource's `//` metadata in cdk.tf.json where acknowledgments are recorded (rule id to reason). */
export const TF_ACKNOWLEDGMENTS_KEY = 'acknowledgments';

/** Returns why an acknowledgment is refused, or undefined when it is acceptable. */
export function tfAcknowledgmentProblem(ruleId: unknown, reason: unknown): string | undefined {
  if (typeof ruleId !== 'string' || !TF_RULE_ID_RE.test(ruleId)) {
    return `acknowledgeTf(): ruleId must name one rule of the Terraform pack, e.g. "SecureApiAz-ApimAuthorization" (received: ${JSON.stringify(ruleId)})`;
  }
  const text = typeof reason === 'string' ? reason.trim() : '';
  if (text.length < TF_MIN_REASON_LENGTH || TRIVIAL.test(text) || text.split(/\s+/).length < 5) {
    return `acknowledgeTf(${ruleId}): reason must say why the finding is acceptable or how the control is met otherwise, in at least ${TF_MIN_REASON_LENGTH} characters and 5 words (received: ${JSON.stringify(reason)}); an assessor reads it in the compliance report`;
  }
  return undefined;
}
