/**
 * The acknowledgment policy of both clouds, in one place: which rule ids may be acknowledged and which reasons an
 * assessor would accept. Pure: the AWS adapter (`aws/acknowledge.ts`, over CDK's `Validations`) and the Terraform
 * adapter (`acknowledgeTf` in constructs/azure) apply it and record the acknowledgment on the resource.
 */

/** One acknowledgment, as it appears in the templates' metadata and the compliance report. */
export interface Acknowledgment {
  readonly ruleId: string;
  readonly reason: string;
  readonly constructPath: string;
  /** The configuration that makes the reason true (e.g. `spec.edge.blockCountries is set`), when the reason depends on one. */
  readonly condition?: string;
}

/** Metadata key of the conditions recorded with acknowledgments (rule id → condition). */
export const ACK_CONDITION_METADATA_KEY = 'secure-api-platform:acknowledgment-condition';

/** Rule ids of the packs the AWS side runs: `<pack>-<rule>` with an optional `[finding]`. */
export const AWS_RULE_ID_RE = /^(AwsSolutions|HIPAA\.Security|PCI\.DSS\.321|NIST\.800\.53\.R5|SecureApi)-[A-Za-z0-9]+(\[[^\]]+\])?$/;
/** Rule ids of the Terraform pack, with an optional `[finding]` qualifier. */
export const TF_RULE_ID_RE = /^SecureApiAz-[A-Za-z0-9]+(\[[^\]]+\])?$/;
/** Reasons that explain nothing to an assessor. */
const TRIVIAL = /^(n\/?a|na|none|ok|okay|todo|tbd|fixme|false positive|not needed|not applicable|ignore|suppressed?|accepted|by design|wip|test|temp|temporary)\.?$/i;
/** The shortest reason accepted, in characters. */
export const MIN_REASON_LENGTH = 30;
/** The fewest words a reason may have. */
export const MIN_REASON_WORDS = 5;

/**
 * Why `reason` would not convince an assessor (missing, shorter than {@link MIN_REASON_LENGTH} characters or
 * {@link MIN_REASON_WORDS} words, or a placeholder such as "n/a"), or undefined when it is acceptable.
 * `caller` names the function the message speaks for (`acknowledge`, `acknowledgeTf`).
 */
export function reasonProblem(caller: string, ruleId: string, reason: unknown): string | undefined {
  const text = typeof reason === 'string' ? reason.trim() : '';
  if (text.length >= MIN_REASON_LENGTH && !TRIVIAL.test(text) && text.split(/\s+/).length >= MIN_REASON_WORDS) return undefined;
  return `${caller}(${ruleId}): reason must say why the finding is acceptable or how the control is met otherwise, in at least ${MIN_REASON_LENGTH} characters and ${MIN_REASON_WORDS} words (received: ${JSON.stringify(reason)}); an assessor reads it in the compliance report`;
}
